"""Readiness of the real stores in a fresh interpreter: the first probe imports each store's
driver, and that import never counts against the store's timeout."""

import json
import os

from tests.support.fresh_python import fresh_python

# Every driver import takes a second longer than the readiness timeout; pings stay fast.
PROBE = """
import asyncio, importlib.abc, json, sys, time

DRIVERS = {"psycopg", "pymongo", "redis", "sqlalchemy"}

class SlowDrivers(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name in DRIVERS:
            time.sleep(1.0)
        return None

sys.meta_path.insert(0, SlowDrivers())
import httpx
from app.main import app

async def probe():
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        response = await client.get("/health/ready")
    return response.status_code, response.json()["data"]

status, data = asyncio.run(probe())
print(json.dumps({"status": status, "data": data}))
"""


def test_the_first_readiness_probe_does_not_time_the_driver_imports() -> None:
    stores = {name: os.environ[name] for name in ("POSTGRESQL_URL", "MONGO_URL", "REDIS_URL")}
    output = fresh_python(PROBE, ENVIRONMENT="testing", READINESS_TIMEOUT_SECONDS="0.8", **stores)
    report = json.loads(output.splitlines()[-1])
    assert report["status"] == 200, report
    checks = {check["name"]: check for check in report["data"]["checks"]}
    assert set(checks) == {"postgresql", "mongodb", "redis"}
    assert all(check["ok"] and check["latency_ms"] < 800 for check in checks.values()), checks
