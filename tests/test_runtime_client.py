"""The built bundle under AWS's own runtime interface client (awslambdaric), as Lambda runs it,
against a stand-in for the Runtime API: init, HTTP API v2, REST and ALB events, the migrate
job, an event that is no JSON object, a malformed HTTP event, the init error of an invalid
setting, and a SnapStart init, snapshot and restore."""

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import pytest

from tests.support.lambda_events import build_event, load_event
from tests.support.lambda_runtime import RUNTIME_SDK_MODULES, link_packages
from tests.support.runtime_api import RuntimeApi, runtime_api

# What API Gateway's JWT authorizer passes for a caller allowed to read books.
BOOKS_READER = {"jwt": {"claims": {"sub": "ric-user"}, "scopes": ["books:read"]}}

# What the Python runtime provides: awslambdaric's own modules and the AWS SDK. The bundle must
# supply everything else.
RUNTIME_CLIENT_MODULES = ("awslambdaric", "runtime_client", "simplejson", "snapshot_restore_py")


@pytest.fixture(scope="module")
def runtime_client_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding awslambdaric, the SDK and their dependencies only (links into the
    venv), as the runtime's own directory holds them."""
    spec = importlib.util.find_spec("awslambdaric")
    assert spec is not None, "awslambdaric is a dev dependency: run uv sync"
    assert spec.origin is not None
    site_packages = Path(spec.origin).parents[1]
    path = tmp_path_factory.mktemp("runtime-client")
    link_packages(site_packages, path, (*RUNTIME_CLIENT_MODULES, *RUNTIME_SDK_MODULES))
    return path


def _start(
    bundle: Path, runtime_client_path: Path, api: RuntimeApi, log: Path, **settings: str
) -> "subprocess.Popen[bytes]":
    """`python -m awslambdaric app.main.handler` in the bundle, as the Python runtime runs
    it: no site-packages, the Lambda variables set, stores from the suite's environment."""
    code = bundle / "lambda"
    environment = {
        "PATH": "",
        "PYTHONPATH": f"{code}{os.pathsep}{runtime_client_path}",
        "LAMBDA_TASK_ROOT": str(code),
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{api.port}",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_python{sys.version_info.major}.{sys.version_info.minor}",
        "AWS_LAMBDA_FUNCTION_NAME": "app-ric",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/app-ric",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/01/[$LATEST]0123456789abcdef",
        "AWS_REGION": "us-east-1",
        "ENVIRONMENT": "production",
        # Authentication on, as in production, with the HTTP API's JWT authorizer in front.
        "AUTH_ISSUER": "https://issuer.example",
        "AUTH_AUDIENCE": "api",
        "AUTH_TRUST_GATEWAY_CLAIMS": "true",
        **{name: os.environ[name] for name in ("POSTGRESQL_URL", "MONGO_URL", "REDIS_URL")},
        **settings,
    }
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-S", "-m", "awslambdaric", "app.main.handler"],
            cwd=code,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture(scope="module")
def sandbox(
    bundle: Path, runtime_client_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RuntimeApi]:
    """One sandbox for the module: the runtime client has initialised the app and polls."""
    log = tmp_path_factory.mktemp("sandbox") / "runtime.log"
    with runtime_api() as api:
        process = _start(bundle, runtime_client_path, api, log)
        try:
            yield api
        finally:
            process.terminate()
            process.wait(timeout=10)


def _response(api: RuntimeApi, event: object) -> dict[str, Any]:
    outcome = api.invoke(event)
    assert outcome.kind == "response", outcome
    result: dict[str, Any] = outcome.body
    return result


@pytest.mark.parametrize("name", ["http_api_v2", "rest_api_v1", "alb"])
def test_http_events_are_answered_with_the_envelope(sandbox: RuntimeApi, name: str) -> None:
    result = _response(sandbox, load_event(name))
    assert result["statusCode"] == 200
    assert json.loads(result["body"])["data"] == {"status": "ok"}


def test_a_store_backed_route_answers_the_authorized_caller(sandbox: RuntimeApi) -> None:
    event = build_event("http_v2", "GET", "/v1/books", query="limit=1", authorizer=BOOKS_READER)
    result = _response(sandbox, event)
    assert result["statusCode"] == 200, result
    assert json.loads(result["body"])["data"]["limit"] == 1
    unauthorized = _response(sandbox, build_event("http_v2", "GET", "/v1/books"))
    assert unauthorized["statusCode"] == 401
    assert json.loads(unauthorized["body"])["data"]["internal_error"]["code"] == 8012


def test_the_migrate_job_runs(sandbox: RuntimeApi) -> None:
    result = _response(sandbox, load_event("migrate"))
    assert result["ok"] is True
    assert result["action"] == "migrate"
    assert result["head"]


def test_an_event_that_is_no_json_object_gets_an_answer(sandbox: RuntimeApi) -> None:
    result = _response(sandbox, "hello")
    assert result["ok"] is False
    assert "not a JSON object" in result["error"]


def test_a_malformed_http_event_is_a_400_envelope_not_an_error(sandbox: RuntimeApi) -> None:
    event = build_event("http_v2", "POST", "/v1/books", authorizer=BOOKS_READER)
    event["body"] = {"title": "Neuromancer"}  # an object where API Gateway sends a string
    result = _response(sandbox, event)
    assert result["statusCode"] == 400, result
    assert json.loads(result["body"])["data"]["internal_error"]["code"] == 8014
    assert "Traceback" not in result["body"]


def test_an_invalid_setting_is_an_init_error_that_names_it(
    bundle: Path, runtime_client_path: Path, tmp_path: Path
) -> None:
    with runtime_api() as api:
        process = _start(
            bundle, runtime_client_path, api, tmp_path / "runtime.log", RATE_LIMIT_REQUESTS="-1"
        )
        try:
            outcome = api.outcome("init")
            code = process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
    assert outcome.kind == "init_error"
    assert "RATE_LIMIT_REQUESTS" in outcome.body["errorMessage"]
    assert code != 0


def tcp_peers(pid: int) -> list[int]:
    """The remote port of each TCP socket the process holds (0: not connected)."""
    return [
        connection.raddr.port if connection.raddr else 0
        for connection in psutil.Process(pid).net_connections(kind="tcp")
    ]


def test_a_snap_start_sandbox_is_snapshotted_without_store_connections_and_then_serves(
    bundle: Path, runtime_client_path: Path, tmp_path: Path
) -> None:
    # Given the runtime client initialising the bundle for a SnapStart snapshot
    log = tmp_path / "runtime.log"
    at_snapshot: list[int] = []
    with runtime_api() as api:
        process = _start(
            bundle, runtime_client_path, api, log, AWS_LAMBDA_INITIALIZATION_TYPE="snap-start"
        )
        api.on_snapshot = lambda: at_snapshot.extend(tcp_peers(process.pid))
        try:
            # When Lambda restores it and sends the first request
            query = "limit=1"
            event = build_event("http_v2", "GET", "/v1/books", query=query, authorizer=BOOKS_READER)
            result = _response(api, event)
            after_request = tcp_peers(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=10)

    # Then the snapshot held no socket but the runtime client's own, and the request was served
    # on a connection opened after the restore
    assert "SnapStart: ready for the snapshot" in log.read_text()
    assert set(at_snapshot) == {api.port}  # the request asking to be restored
    assert result["statusCode"] == 200, result
    postgresql_port = urlsplit(os.environ["POSTGRESQL_URL"]).port
    assert postgresql_port in after_request
