"""Cold start: importing `app.main` loads no driver, SDK or ORM and opens no connection."""

import json
from typing import Any

from tests.support.fresh_python import fresh_python

# SQLAlchemy too: the books service loads it on the first books request (a third of the init);
# PyJWT and cryptography on the first request with a token; the AWS SDK on its first use.
FORBIDDEN = (
    "botocore",
    "boto3",
    "psycopg",
    "pymongo",
    "redis",
    "sentry_sdk",
    "alembic",
    "sqlalchemy",
    "jwt",
    "cryptography",
)

PROBE = """
import gc, json, socket, sys
collections_before = [generation["collections"] for generation in gc.get_stats()]
connections = []
original_connect = socket.socket.connect
def recording_connect(self, address):
    connections.append(str(address))
    return original_connect(self, address)
socket.socket.connect = recording_connect
import app.main
print(json.dumps({
    "modules": sorted(sys.modules),
    "connections": connections,
    "collections": [
        generation["collections"] - before
        for generation, before in zip(gc.get_stats(), collections_before)
    ],
    "frozen": gc.get_freeze_count(),
    "error_envelope_built": app.http.envelope.ErrorEnvelope.__pydantic_complete__,
    "collector_enabled": gc.isenabled(),
}))
"""


PROBE_MODULES = "import sys, app.main; print(' '.join(sorted(sys.modules)))"

CONFIGURED = {
    "ENVIRONMENT": "production",
    "AUTH_ISSUER": "https://issuer.example",  # authentication on, as in production
    "AUTH_AUDIENCE": "api",
    "POSTGRESQL_URL": "postgresql+psycopg://u@127.0.0.1:1/app",
    "MONGO_URL": "mongodb://127.0.0.1:1/app",
    "REDIS_URL": "redis://127.0.0.1:1/0",
}


def import_app_main() -> dict[str, Any]:
    report: dict[str, Any] = json.loads(fresh_python(PROBE, **CONFIGURED))
    return report


def test_import_loads_no_driver_and_connects_nowhere() -> None:
    report = import_app_main()
    loaded = {name.split(".")[0] for name in report["modules"]}
    assert not loaded & set(FORBIDDEN), sorted(loaded & set(FORBIDDEN))
    # Only what a request may need later: the secrets client, the other environments' settings;
    # and nothing of SnapStart, which only a snap-start init loads.
    lazy = {
        "urllib.request",
        "app.core.settings.local",
        "app.core.settings.testing",
        "app.snapstart",
        "snapshot_restore_py",
        "dotenv",
    }
    assert not lazy & set(report["modules"]), sorted(lazy & set(report["modules"]))
    assert "app.core.settings.production" in report["modules"]
    assert report["connections"] == []
    # Spans go through opentelemetry-api, which FastAPI imports anyway; no SDK ships.
    assert not [name for name in report["modules"] if name.startswith("opentelemetry.sdk")]


# The optional layers: each is imported only when configured.
OPTIONAL_LAYERS = {
    "app.http.auth.middleware",
    "app.http.idempotency.middleware",
    "app.http.idempotency.store",
    "app.http.rate_limit.middleware",
    "app.http.rate_limit.store",
    "starlette.middleware.cors",
}


def test_layers_load_only_when_configured() -> None:
    # Given every store, authentication and CORS: every layer is there
    on = set(
        fresh_python(PROBE_MODULES, **CONFIGURED, CORS_ALLOW_ORIGINS="https://a.example").split()
    )
    assert on >= OPTIONAL_LAYERS, sorted(OPTIONAL_LAYERS - on)

    # Given PostgreSQL only, authentication off and no CORS: none is loaded
    off = set(
        fresh_python(
            PROBE_MODULES,
            ENVIRONMENT="production",
            AUTH_ENABLED="false",
            POSTGRESQL_URL="postgresql+psycopg://u@127.0.0.1:1/app",
        ).split()
    )
    assert not OPTIONAL_LAYERS & off, sorted(OPTIONAL_LAYERS & off)
    assert "app.main" in off


def test_import_runs_without_garbage_collection_and_freezes_what_it_loaded() -> None:
    report = import_app_main()

    # Unpaused, the import runs ~135 collections, one of them full. At most one young one may
    # run while `app.core.cold_start` itself loads, before the pause begins.
    assert report["collections"][2] == 0
    assert sum(report["collections"]) <= 1
    # The modules, classes and routes the import created are out of the collector's reach.
    assert report["frozen"] > 10_000
    assert report["collector_enabled"] is True


def test_envelope_schemas_are_built_on_first_use_not_at_import() -> None:
    # They describe responses in OpenAPI (tests/shared/test_openapi.py checks the document);
    # every route and status has one, and building them all is a few % of the Lambda init.
    assert import_app_main()["error_envelope_built"] is False
