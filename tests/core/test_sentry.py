"""Sentry: on only with a DSN; unhandled errors reach it tagged with the trace id."""

import gzip
import json
from collections.abc import Iterator

import httpx
import pytest
import sentry_sdk

from app.core.sentry import capture_exception, tag_trace_id
from tests.conftest import AppFactory, app_client
from tests.support.fresh_python import fresh_python
from tests.support.http_stub import RecordedRequest, http_stub


def _accept(_: RecordedRequest) -> tuple[int, object]:
    return 200, {}


def _events(requests: list[RecordedRequest]) -> list[dict[str, object]]:
    events = []
    for request in requests:
        body = request.body
        if request.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        for line in body.splitlines():
            item = json.loads(line)
            if "exception" in item:
                events.append(item)
    return events


@pytest.fixture
def sentry_off() -> Iterator[None]:
    yield
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


@pytest.mark.usefixtures("sentry_off")
async def test_unhandled_error_is_sent_with_trace_id(app_factory: AppFactory) -> None:
    with http_stub(_accept) as stub:
        # Given the app configured with a DSN pointing at a local ingestion endpoint
        dsn = f"http://public@127.0.0.1:{stub.port}/1"
        app = app_factory(sentry_dsn=dsn, release="1.2.3")

        @app.get("/crash")
        async def crash() -> None:
            raise RuntimeError("secret")

        # When a route crashes
        async with app_client(app) as client:
            response = await client.get("/crash", headers={"X-Request-ID": "sentry-1"})
        sentry_sdk.flush(timeout=5)

    # Then the client sees a clean 500 and Sentry gets the exception with context
    assert response.status_code == 500
    assert "secret" not in response.text
    (event,) = _events(stub.requests)
    assert event["environment"] == "testing"
    assert event["release"] == "1.2.3"
    assert event["tags"]["trace_id"] == "sentry-1"  # type: ignore[index]
    assert "RuntimeError" in json.dumps(event["exception"])


@pytest.mark.usefixtures("sentry_off")
def test_only_the_listed_integrations_are_enabled(app_factory: AppFactory) -> None:
    app_factory(sentry_dsn="http://public@127.0.0.1:9/1")
    enabled = set(sentry_sdk.get_client().integrations)
    assert {"fastapi", "starlette", "aws_lambda"} <= enabled
    assert not enabled & {"sqlalchemy", "redis", "pymongo", "httpx", "loguru"}


def test_helpers_do_nothing_without_a_dsn() -> None:
    assert not sentry_sdk.is_initialized()
    tag_trace_id("unused")
    capture_exception(RuntimeError("not sent"))
    assert not sentry_sdk.is_initialized()


def test_importing_the_app_does_not_import_sentry_without_dsn() -> None:
    code = "import sys, app.main; print('sentry_sdk' in sys.modules)"
    assert fresh_python(code, ENVIRONMENT="testing").strip() == "False"


async def test_no_dsn_means_no_sentry_calls(client: httpx.AsyncClient) -> None:
    await client.get("/health")
    assert not sentry_sdk.is_initialized()
