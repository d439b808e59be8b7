"""Every response is the envelope: unknown routes, wrong methods, bad bodies, crashes."""

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from loguru import logger
from pydantic import BaseModel, ConfigDict, Field

from app.lambda_handler import build_handler
from tests.conftest import AppFactory, app_client
from tests.support.envelope import assert_envelope
from tests.support.lambda_transport import SyncLambdaTransport, run_on_handler_thread


class Widget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    size: int = Field(ge=1)


def add_test_routes(app: FastAPI) -> FastAPI:
    @app.post("/widgets", status_code=201)
    async def create_widget(widget: Widget) -> Widget:
        return widget

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("secret")

    return app


@pytest.fixture
async def http(app_factory: AppFactory) -> AsyncIterator[httpx.AsyncClient]:
    app = add_test_routes(app_factory(max_request_body_bytes=64))
    async with app_client(app) as client:
        yield client


async def test_unknown_route_is_404_envelope(http: httpx.AsyncClient) -> None:
    assert_envelope(await http.get("/nope"), 404, code=8002)


@pytest.mark.parametrize("transport", ["asgi", "http_v2", "rest_v1", "alb"])
async def test_a_trailing_slash_is_a_404_never_a_redirect(
    app_factory: AppFactory, transport: str
) -> None:
    async with app_client(app_factory(), transport) as client:
        response = await client.get("/v1/books/", headers={"Host": "evil.example"})
    assert_envelope(response, 404, code=8002)
    assert "location" not in response.headers


def test_under_a_rest_api_stage_a_trailing_slash_is_a_404(app_factory: AppFactory) -> None:
    app = app_factory(api_base_path="/dev")
    handler = run_on_handler_thread(lambda: build_handler(app, app.state.settings))
    transport = SyncLambdaTransport(handler, shape="rest_v1", stage="dev")
    with httpx.Client(transport=transport, base_url="https://api.example") as client:
        response = client.get("/v1/books/")
    assert_envelope(response, 404, code=8002)
    assert "location" not in response.headers


async def test_wrong_method_is_405_envelope_with_allow(http: httpx.AsyncClient) -> None:
    response = await http.delete("/health")
    assert_envelope(response, 405, code=8003)
    assert response.headers["allow"] == "GET"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/v1/books", "GET, POST"),
        ("POST", "/v1/books/0b7a3f0e-2f0c-4e4b-9a3e-1c2d3e4f5a6b", "DELETE, GET, PATCH, PUT"),
        ("PUT", "/v1/reviews/64b7f0c2a1b2c3d4e5f60718", "DELETE, GET, PATCH"),
    ],
)
async def test_allow_lists_every_method_of_the_path(
    http: httpx.AsyncClient, method: str, path: str, allowed: str
) -> None:
    response = await http.request(method, path)
    assert_envelope(response, 405, code=8003)
    assert response.headers["allow"] == allowed


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b'{"name": "a", ', {"content-type": "application/json"}),
        (b"", {"content-type": "application/json"}),
        (b"", {}),
        (b"[1, 2]", {"content-type": "application/json"}),
        (b"name=a", {"content-type": "text/plain"}),
    ],
    ids=["malformed", "empty-json", "no-body", "not-an-object", "not-json"],
)
async def test_bad_or_missing_body_is_422_8001(
    http: httpx.AsyncClient, content: bytes, headers: dict[str, str]
) -> None:
    details = assert_envelope(
        await http.post("/widgets", content=content, headers=headers), 422, code=8001
    )
    assert details["errors"], details
    assert all(error["field"].startswith("body") for error in details["errors"])


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"name": "\xff", "size": 1}', "the body is not valid UTF-8"),
        (b'{"name": "a", "size": 1, "x": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", "nested"),
        (b'{"name": "a", "size": ' + b"9" * 5000 + b"}", "4300 digits"),
    ],
    ids=["invalid-utf8", "nested-10000-deep", "integer-5000-digits"],
)
async def test_a_body_json_cannot_read_is_422_8001(
    app_factory: AppFactory, content: bytes, reason: str
) -> None:
    async with app_client(add_test_routes(app_factory())) as http:
        response = await http.post(
            "/widgets", content=content, headers={"content-type": "application/json"}
        )
    details = assert_envelope(response, 422, code=8001)
    (error,) = details["errors"]
    assert (error["field"], error["type"]) == ("body", "json_invalid")
    assert reason in error["message"]


WIDGET = '{"name": "a", "size": 1}'


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]
)
@pytest.mark.parametrize("transport", ["asgi", "http_v2"])
async def test_json_in_utf_16_or_32_is_422_8001(
    app_factory: AppFactory, encoding: str, transport: str
) -> None:
    # "utf-16" and "utf-32" start with a byte order mark; the -le and -be forms have none
    async with app_client(add_test_routes(app_factory()), transport) as http:
        response = await http.post(
            "/widgets",
            content=WIDGET.encode(encoding),
            headers={"content-type": "application/json; charset=utf-16"},
        )
    details = assert_envelope(response, 422, code=8001)
    (error,) = details["errors"]
    assert (error["field"], error["type"]) == ("body", "json_invalid")
    assert "JSON must be UTF-8" in error["message"]


@pytest.mark.parametrize(
    "chunks",
    [[WIDGET.encode("utf-16-le")[:1], WIDGET.encode("utf-16-le")[1:]], [b"\xff", b"\xfe{"]],
    ids=["first-byte-alone", "byte-order-mark-split"],
)
async def test_a_utf_16_body_sent_in_small_chunks_is_refused_too(
    app_factory: AppFactory, chunks: list[bytes]
) -> None:
    async def stream() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    async with app_client(add_test_routes(app_factory())) as http:
        response = await http.post(
            "/widgets", content=stream(), headers={"content-type": "application/json"}
        )
    assert_envelope(response, 422, code=8001)


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"\xef\xbb\xbf" + WIDGET.encode(), "application/json"),  # UTF-8 with its BOM
        (WIDGET.encode(), "application/merge-patch+json"),
        (WIDGET.encode(), "Application/JSON; charset=utf-8"),
    ],
)
async def test_utf_8_json_is_read_with_or_without_a_bom(
    app_factory: AppFactory, content: bytes, content_type: str
) -> None:
    async with app_client(add_test_routes(app_factory())) as http:
        response = await http.post(
            "/widgets", content=content, headers={"content-type": content_type}
        )
    assert response.status_code == 201, response.text
    assert response.json() == {"name": "a", "size": 1}


async def test_a_utf_16_book_with_an_idempotency_key_is_refused_and_not_stored(
    app: FastAPI,
) -> None:
    # The idempotency middleware reads the body before the route: the same answer
    title = f"UTF-16 {uuid.uuid4()}"
    body = f'{{"title": "{title}", "author": "A", "year": 2001, "type": "online"}}'
    async with app_client(app) as http:
        response = await http.post(
            "/v1/books",
            content=body.encode("utf-16"),
            headers={"content-type": "application/json", "Idempotency-Key": title},
        )
        found = await http.get("/v1/books", params={"q": title})
    assert_envelope(response, 422, code=8001)
    assert assert_envelope(found, 200)["total"] == 0


async def test_validation_names_every_offending_field(http: httpx.AsyncClient) -> None:
    response = await http.post("/widgets", json={"name": "", "size": 0, "colour": "red"})
    details = assert_envelope(response, 422, code=8001)
    fields = {error["field"] for error in details["errors"]}
    assert fields == {"body.name", "body.size", "body.colour"}


async def test_a_valid_body_passes(http: httpx.AsyncClient) -> None:
    response = await http.post("/widgets", json={"name": "a", "size": 2})
    assert response.status_code == 201
    assert response.json() == {"name": "a", "size": 2}


async def test_declared_oversized_body_is_413(http: httpx.AsyncClient) -> None:
    response = await http.post("/widgets", content=b"x" * 65)
    details = assert_envelope(response, 413, code=8004)
    assert details == {"max_bytes": 64}


async def test_chunked_oversized_body_without_length_is_413(http: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b'{"name": "aaaaaaaaaaaa",'

    response = await http.post("/widgets", content=chunks())
    assert "content-length" not in response.request.headers
    assert_envelope(response, 413, code=8004)


async def test_body_at_the_limit_is_accepted(http: httpx.AsyncClient) -> None:
    body = b'{"name": "' + b"a" * 41 + b'", "size": 1}'
    assert len(body) == 64
    response = await http.post(
        "/widgets", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 201


async def test_unhandled_error_is_500_without_internal_text(http: httpx.AsyncClient) -> None:
    messages: list[str] = []
    sink = logger.add(messages.append, level="ERROR", format="{message}\n{exception}")
    try:
        response = await http.get("/crash")
    finally:
        logger.remove(sink)
    assert_envelope(response, 500, code=100)
    assert "secret" not in response.text
    assert "secret" not in str(response.headers)
    assert any("RuntimeError: secret" in message for message in messages)
    assert any("Traceback" in message for message in messages)


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [
        ("abc-123", True),
        ("A.b:c_d-9", True),
        ("x" * 128, True),
        ("x" * 129, False),
        ("bad id", False),
        ("<script>", False),
    ],
)
async def test_request_id_is_echoed_only_when_sane(
    http: httpx.AsyncClient, sent: str, echoed: bool
) -> None:
    response = await http.get("/health", headers={"X-Request-ID": sent})
    assert_envelope(response, 200)
    assert (response.json()["trace_id"] == sent) is echoed


async def test_request_id_on_errors_too(http: httpx.AsyncClient) -> None:
    response = await http.get("/nope", headers={"X-Request-ID": "abc-123"})
    assert response.json()["trace_id"] == "abc-123"
    assert response.headers["x-request-id"] == "abc-123"


async def test_security_headers_on_success_and_error(http: httpx.AsyncClient) -> None:
    for response in (await http.get("/health"), await http.get("/crash")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "server" not in response.headers


async def test_cors_allows_only_configured_origins(app_factory: AppFactory) -> None:
    app = app_factory(cors_allow_origins="https://app.example.com")
    async with app_client(app) as client:
        allowed = await client.get("/health", headers={"Origin": "https://app.example.com"})
        denied = await client.get("/health", headers={"Origin": "https://evil.example.com"})
        preflight = await client.options(
            "/health",
            headers={
                "Origin": "https://app.example.com",
                "Access-Control-Request-Method": "GET",
            },
        )
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in denied.headers
    assert preflight.status_code == 200
    assert "x-request-id" in allowed.headers["access-control-expose-headers"].lower()


async def test_access_log_line_per_request(http: httpx.AsyncClient) -> None:
    records: list[dict[str, object]] = []
    sink = logger.add(lambda message: records.append(message.record["extra"]), level="INFO")
    try:
        await http.get("/health", headers={"X-Request-ID": "log-1"})
    finally:
        logger.remove(sink)
    access = [extra for extra in records if extra.get("logger") == "access"]
    assert len(access) == 1
    assert access[0]["method"] == "GET"
    assert access[0]["path"] == "/health"
    assert access[0]["status"] == 200
    assert access[0]["trace_id"] == "log-1"
    assert access[0]["route"] == "/health"
    assert isinstance(access[0]["latency_ms"], float)
