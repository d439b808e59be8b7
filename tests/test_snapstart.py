"""Lambda SnapStart: a snap-start init builds what a request needs and connects to every store;
the before-snapshot hooks leave no TCP socket; a sandbox restored from the snapshot draws its own
random numbers, reads its secrets and keys again, and serves with fresh connections."""

import asyncio
import json
import os
import random
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
import snapshot_restore_py
from bson.objectid import ObjectId
from fastapi import FastAPI

from app.snapstart import after_restore, before_snapshot, prepare_snapshot
from tests.conftest import AppFactory, app_client
from tests.fixtures.auth import signing_key
from tests.fixtures.aws import SecretsSource
from tests.fixtures.postgresql import PasswordServer
from tests.support.aws_stand_ins import (
    container_credentials_endpoint,
    container_credentials_env,
    moto_secrets,
    put_secret,
    secret_reads,
)
from tests.support.envelope import assert_envelope
from tests.support.fresh_python import fresh_python
from tests.support.http_stub import http_forwarder
from tests.support.lambda_events import build_event
from tests.support.lambda_transport import run_on_handler_thread
from tests.support.ports import closed_port
from tests.support.token_issuer import TokenIssuer

BOOKS = "/v1/books?limit=1"
AUTHORIZER = {"jwt": {"claims": {"sub": "snap-user"}, "scopes": ["books:read"]}}
# What Lambda and the template give a SnapStart function's init (the gateway verifies tokens).
SNAP_START_INIT = {
    "AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start",
    "AWS_LAMBDA_FUNCTION_NAME": "app-snap-start",
    "ENVIRONMENT": "production",
    "AUTH_ISSUER": "https://issuer.example",
    "AUTH_AUDIENCE": "api",
    "AUTH_TRUST_GATEWAY_CLAIMS": "true",
}


def _snapshot_and_restore() -> None:
    before_snapshot()
    after_restore()


async def snapshot_and_restore() -> None:
    """The hooks, on the thread and loop the Lambda handler runs on, as the runtime runs them."""
    await asyncio.to_thread(run_on_handler_thread, _snapshot_and_restore)


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[Any]]:
    """The runtime's hook registries, empty for this test (and dropped after it)."""
    before: list[Any] = []
    after: list[Any] = []
    monkeypatch.setattr(snapshot_restore_py, "_before_snapshot_registry", before)
    monkeypatch.setattr(snapshot_restore_py, "_after_restore_registry", after)
    return before, after


def test_the_init_registers_the_hooks_and_names_a_store_it_cannot_reach(
    app_factory: AppFactory,
    auth_overrides: dict[str, Any],
    hooks: tuple[list[Any], list[Any]],
    closed_port_postgresql_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a store that is down while Lambda initialises the version
    settings = {"postgresql_url": closed_port_postgresql_url, "docs_enabled": True}
    app = app_factory(**settings, **auth_overrides)

    # When the snap-start init runs, it still completes (the store connects on first use)
    run_on_handler_thread(lambda: prepare_snapshot(app, app.state.settings))
    run_on_handler_thread(before_snapshot)

    before, after = hooks
    assert [hook for hook, _, _ in before] == [before_snapshot]
    assert [hook for hook, _, _ in after] == [after_restore]
    warning = "SnapStart: not reachable before the snapshot: postgresql (OperationalError)"
    assert warning in capsys.readouterr().err


SNAP_START_SANDBOX = """
import json, os, psutil, snapshot_restore_py

def tcp_sockets():
    return [(connection.status, connection.raddr.port if connection.raddr else None)
            for connection in psutil.Process().net_connections(kind="tcp")]

from app.main import handler

report = {"after_init": tcp_sockets()}
before = list(snapshot_restore_py.get_before_snapshot())
after = list(snapshot_restore_py.get_after_restore())
report["hooks"] = [f"{hook.__module__}.{hook.__qualname__}" for hook, _, _ in before + after]
for _ in range(2):  # safe to run twice
    for hook, args, kwargs in reversed(before):  # as the runtime runs them
        hook(*args, **kwargs)
report["after_before_snapshot"] = tcp_sockets()
for _ in range(2):
    for hook, args, kwargs in after:
        hook(*args, **kwargs)
report["after_restore"] = tcp_sockets()
response = handler(json.loads(os.environ["EVENT"]), None)
report["status"] = response["statusCode"]
report["after_request"] = tcp_sockets()
print(json.dumps(report))
"""


def test_a_snap_start_sandbox_is_snapshotted_without_sockets_and_serves_after_a_restore() -> None:
    urls = {name: os.environ[name] for name in ("POSTGRESQL_URL", "MONGO_URL", "REDIS_URL")}
    ports = {name: urlsplit(url).port for name, url in urls.items()}
    event = build_event("http_v2", "GET", "/v1/books", query="limit=1", authorizer=AUTHORIZER)

    output = fresh_python(SNAP_START_SANDBOX, **SNAP_START_INIT, EVENT=json.dumps(event), **urls)
    report = json.loads(output.splitlines()[-1])

    # The init connected to every store (each driver set up), the hooks closed every socket
    assert {port for _, port in report["after_init"]} >= set(ports.values())
    assert report["hooks"] == ["app.snapstart.before_snapshot", "app.snapstart.after_restore"]
    assert report["after_before_snapshot"] == []
    assert report["after_restore"] == []
    # The first request after the restore answers, on connections opened for it
    assert report["status"] == 200
    assert ports["POSTGRESQL_URL"] in {port for _, port in report["after_request"]}
    # and its line counts a restore, not a cold start
    lines = [json.loads(line) for line in output.splitlines()[:-1] if line.startswith("{")]
    (access,) = [line for line in lines if line["logger"] == "access"]
    assert (access["restore"], access["cold_start"]) == (True, False)
    assert (access["Restore"], access["ColdStart"]) == (1, 0)


def test_restored_sandboxes_draw_different_random_numbers() -> None:
    snapshot = random.getstate()
    draws = []
    for _ in range(2):
        random.setstate(snapshot)  # every sandbox restored from one snapshot starts here
        run_on_handler_thread(after_restore)
        draws.append(random.getrandbits(64))
    assert draws[0] != draws[1]


def test_restored_sandboxes_generate_different_object_ids() -> None:
    ObjectId()  # PyMongo loaded and drawing, as in a sandbox that used MongoDB before
    state = ("_pid", "_inc", "_ObjectId__random")
    snapshot = {name: getattr(ObjectId, name) for name in state}
    generated = []
    for _ in range(2):
        for name, value in snapshot.items():
            setattr(ObjectId, name, value)
        run_on_handler_thread(after_restore)
        generated.append(ObjectId().binary[4:])  # after the 4 bytes of time: random, counter
    assert generated[0] != generated[1]


@pytest.mark.parametrize("secrets_source", ["lambda snap-start"], indirect=True)
async def test_a_restored_sandbox_reads_a_secret_that_rotated_meanwhile(
    app_factory: AppFactory, secrets_source: SecretsSource, closed_port_postgresql_url: str
) -> None:
    # Given a sandbox that read the URL secret before the snapshot
    secret_id = f"app/postgresql-url-{uuid.uuid4().hex[:8]}"
    secrets_source.put(secret_id, closed_port_postgresql_url)
    app = app_factory(postgresql_url=None, postgresql_url_secret_id=secret_id)
    async with app_client(app, "http_v2") as client:
        assert_envelope(await client.get(BOOKS), 503, code=9001)

        # When the secret is rotated while the snapshot is kept, the value read stays
        secrets_source.put(secret_id, os.environ["POSTGRESQL_URL"])
        assert_envelope(await client.get(BOOKS), 503, code=9001)

        # Then a sandbox restored from it reads the new value
        await snapshot_and_restore()
        assert_envelope(await client.get(BOOKS), 200)
    assert secrets_source.reads(secret_id) == 2


SNAP_START_SECRETS_SANDBOX = """
import gc, json, os, sys, snapshot_restore_py

def sdk_objects():
    from botocore.client import BaseClient
    from botocore.credentials import Credentials
    gc.unfreeze()  # the init froze what it made: bring it back into the collector's view
    found = {type(item).__name__ for item in gc.get_objects()
             if isinstance(item, BaseClient | Credentials)}
    return sorted(found)

from app.main import handler

report = {"sdk_imported": "botocore.session" in sys.modules, "at_snapshot": sdk_objects()}
for hook, args, kwargs in reversed(snapshot_restore_py.get_before_snapshot()):
    hook(*args, **kwargs)
report["at_snapshot"] += sdk_objects()
for hook, args, kwargs in snapshot_restore_py.get_after_restore():
    hook(*args, **kwargs)
loaded = set(sys.modules)
data_files = []
def record(event, args):
    if event == "open" and "botocore" in str(args[0]) and "data" in str(args[0]):
        data_files.append(str(args[0]))
sys.addaudithook(record)
response = handler(json.loads(os.environ["EVENT"]), None)
report["status"] = response["statusCode"]
report["data_files_read_by_the_request"] = data_files
report["imported_by_the_request"] = sorted(
    name for name in set(sys.modules) - loaded
    if name.split(".")[0] in {"botocore", "urllib3", "encodings", "dateutil", "jmespath"}
)
report["after_request"] = sdk_objects()
print(json.dumps(report))
"""


def test_a_snap_start_sandbox_reads_its_secrets_with_the_credentials_of_its_restore(
    moto_endpoint: str, password_server: PasswordServer
) -> None:
    # Given the PostgreSQL secret as RDS keeps it, and a sandbox whose SDK can get credentials
    # only from the container credentials endpoint (no AWS_SESSION_TOKEN, no keys)
    secret_id = f"app/rds-{uuid.uuid4().hex[:8]}"
    password_server.set_password("snap$hot-p@ss")
    put_secret(moto_secrets(moto_endpoint), secret_id, password_server.rds_secret("snap$hot-p@ss"))
    event = build_event("http_v2", "GET", "/v1/books", query="limit=1", authorizer=AUTHORIZER)
    with (
        container_credentials_endpoint("container-token") as (credentials, issued),
        http_forwarder(moto_endpoint) as secrets_manager,
    ):
        # When Lambda runs the snap-start init, the hooks, then the first request
        output = fresh_python(
            SNAP_START_SECRETS_SANDBOX,
            **SNAP_START_INIT,
            POSTGRESQL_URL_SECRET_ID=secret_id,
            AWS_ENDPOINT_URL=f"http://127.0.0.1:{secrets_manager.port}",
            PARAMETERS_SECRETS_EXTENSION_HTTP_PORT=str(closed_port()),
            EVENT=json.dumps(event),
            **container_credentials_env(credentials, "container-token"),
        )
    report = json.loads(output.splitlines()[-1])

    # Then the init imported the SDK and made no client or credentials for the snapshot
    assert report["sdk_imported"] is True
    assert report["at_snapshot"] == []
    # The request after the restore imported and parsed nothing of it, and read the secret
    # with the credentials the endpoint issued then
    assert report["status"] == 200
    assert report["imported_by_the_request"] == []
    assert report["data_files_read_by_the_request"] == []
    assert "SecretsManager" in report["after_request"]
    [asked] = credentials.requests
    assert asked.headers["authorization"] == "container-token"
    assert secret_reads(secrets_manager.requests, secret_id) == 1
    [read] = secrets_manager.requests
    assert f"Credential={issued.access_key_id}/" in read.headers["authorization"]


async def test_a_restored_sandbox_checks_tokens_against_the_keys_published_now(
    auth_app: FastAPI, issuer: TokenIssuer
) -> None:
    # Given a sandbox that verified a token before the snapshot
    token = {"Authorization": f"Bearer {issuer.token()}"}
    async with app_client(auth_app, "http_v2") as client:
        assert_envelope(await client.get(BOOKS, headers=token), 200)

        # When the issuer withdraws that key, the sandbox keeps what it verified
        issuer.keys = [signing_key("rsa-2")]
        assert_envelope(await client.get(BOOKS, headers=token), 200)

        # Then a sandbox restored from the snapshot fetches the keys again, and refuses it
        await snapshot_and_restore()
        assert_envelope(await client.get(BOOKS, headers=token), 401, code=8012)


SDK_AT_INIT = """
import json, sys
import app.main
from app.core import aws
print(json.dumps({"sdk": "botocore.session" in sys.modules, "clients": len(aws._clients)}))
"""


def test_a_snap_start_init_imports_the_sdk_for_the_first_send_and_makes_no_client() -> None:
    output = fresh_python(
        SDK_AT_INIT,
        **SNAP_START_INIT,
        AUTH_ENABLED="false",
        REDIS_URL=os.environ["REDIS_URL"],
    )
    assert json.loads(output.splitlines()[-1]) == {"sdk": True, "clients": 0}
