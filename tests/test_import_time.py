"""Cold start: importing `app.main` loads no driver, SDK or ORM and opens no connection."""

import json
import subprocess
import sys

# SQLAlchemy too: the books service loads it on the first books request (a third of the init).
FORBIDDEN = ("psycopg", "pymongo", "redis", "sentry_sdk", "limits", "alembic", "sqlalchemy")

PROBE = """
import json, socket, sys
connections = []
original_connect = socket.socket.connect
def recording_connect(self, address):
    connections.append(str(address))
    return original_connect(self, address)
socket.socket.connect = recording_connect
import app.main
print(json.dumps({"modules": sorted(sys.modules), "connections": connections}))
"""


def test_import_loads_no_driver_and_connects_nowhere() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        check=True,
        env={
            "ENVIRONMENT": "production",
            "PATH": "",
            "POSTGRESQL_URL": "postgresql+psycopg://u@127.0.0.1:1/app",
            "MONGO_URL": "mongodb://127.0.0.1:1/app",
            "REDIS_URL": "redis://127.0.0.1:1/0",
        },
    )
    report = json.loads(result.stdout)
    loaded = {name.split(".")[0] for name in report["modules"]}
    assert not loaded & set(FORBIDDEN), sorted(loaded & set(FORBIDDEN))
    # Only what a request may need later: the secrets client, the other environments' settings.
    lazy = {"urllib.request", "app.core.settings.local", "app.core.settings.testing"}
    assert not lazy & set(report["modules"]), sorted(lazy & set(report["modules"]))
    assert "app.core.settings.production" in report["modules"]
    assert report["connections"] == []
