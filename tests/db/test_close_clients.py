"""`close_clients`: closes what the process opened, and imports no store it did not use."""

import json
import os
import secrets

from tests.support.fresh_python import fresh_python

PROBE = """
import asyncio, json, sys
import redis
import app.db
from app.core.settings.testing import TestingSettings
from app.db.redis import connection

def named_connections(name):
    with redis.Redis.from_url(settings.redis_url.get_secret_value()) as observer:
        return sum(client["name"] == name for client in observer.client_list())

async def main():
    client = connection.shared.get(settings)
    await client.ping()
    name = f"{settings.service_name}-{settings.environment}"
    before = named_connections(name)
    await app.db.close_clients()
    print(json.dumps({
        "open_before": before,
        "open_after": named_connections(name),
        "rebuilt": connection.shared.get(settings) is not client,
        "postgresql_imported": "app.db.postgresql.connection" in sys.modules,
    }))

settings = TestingSettings()
asyncio.run(main())
"""


def test_open_clients_are_closed_and_unused_stores_stay_unimported() -> None:
    service = f"close-{secrets.token_hex(4)}"
    env = {"ENVIRONMENT": "testing", "SERVICE_NAME": service, "REDIS_URL": os.environ["REDIS_URL"]}
    report = json.loads(fresh_python(PROBE, **env))
    assert report == {
        "open_before": 1,
        "open_after": 0,
        "rebuilt": True,
        "postgresql_imported": False,
    }
