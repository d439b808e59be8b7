"""Tests of the Lambda event builder and transport against a tiny FastAPI app in Mangum 0.22.

Mangum quirks these tests pin, per shape:

- rest_v1: ``path`` never carries the stage, so routing works with or without
  ``api_gateway_base_path``; repeated request headers reach the app as one ", "-joined value;
  repeated query keys survive (multiValueQueryStringParameters wins); repeated response headers
  go to ``multiValueHeaders``.
- http_v2: a named stage is in ``rawPath``/``http.path`` and the app only routes when
  ``api_gateway_base_path`` is "/<stage>". Repeated request headers arrive ","-joined (API
  Gateway does that), the query is ``rawQueryString`` as sent, ``cookies`` become one Cookie
  header. Set-Cookie goes to ``cookies``; other repeated response headers are ","-joined into
  one; a missing content-type becomes application/json. function_url behaves the same.
- alb: single-value mode keeps only the last of repeated query keys and headers (ALB does
  that), and repeated response headers come back under case-permuted names (Set-Cookie,
  set-cookie, ...), which works. alb_multi keeps everything repeated, both ways.
  ``api_gateway_base_path`` is never applied to ALB events.
- all: the base path is stripped as a plain string prefix, so with "/dev" a request for
  "/devices" routes to "ices" (404) on rest_v1, http_v2 and function_url. Paths are
  percent-decoded (``raw_path`` is None). Bodies are base64 unless the content-type is
  text-like and UTF-8. Non-HTTP events raise RuntimeError: the app's handler must dispatch
  them before calling Mangum.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from mangum import Mangum

from .lambda_events import EVENTS_DIR, SHAPES, Shape, build_event, lambda_context, load_event
from .lambda_transport import (
    LambdaTransport,
    SyncLambdaTransport,
    invoke,
    run_on_handler_thread,
)

BINARY = bytes(range(256))
ROUTES: list[tuple[Shape, str | None]] = [
    ("rest_v1", None),
    ("rest_v1", "dev"),
    ("http_v2", None),
    ("http_v2", "dev"),
    ("alb", None),
    ("alb_multi", None),
    ("function_url", None),
]
ROUTE_IDS = [f"{shape}-{stage or 'nostage'}" for shape, stage in ROUTES]


def make_app() -> FastAPI:
    app = FastAPI()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/echo")
    def echo(request: Request) -> dict[str, Any]:
        return {
            "url": str(request.url),
            "query": request.query_params.multi_items(),
            "x_tag": request.headers.getlist("x-tag"),
            "cookies": request.cookies,
        }

    @app.post("/echo/body")
    async def echo_body(request: Request) -> dict[str, str]:
        return {"hex": (await request.body()).hex()}

    @app.get("/cookies")
    def cookies() -> JSONResponse:
        response = JSONResponse({"set": 2})
        response.set_cookie("a", "1")
        response.set_cookie("b", "2")
        response.headers.append("x-multi", "1")
        response.headers.append("x-multi", "2")
        return response

    @app.get("/binary")
    def binary() -> Response:
        return Response(BINARY, media_type="application/octet-stream")

    @app.get("/thread")
    async def thread() -> dict[str, int]:  # async: runs on the loop's thread, not a worker
        return {"ident": threading.get_ident()}

    return app


@cache
def mangum_handler(base_path: str = "/") -> Mangum:
    """One handler per base path, created on the thread that will run it."""
    app = make_app()
    return run_on_handler_thread(
        lambda: Mangum(app, lifespan="off", api_gateway_base_path=base_path)
    )


def client(
    shape: Shape, stage: str | None, cookies: dict[str, str] | None = None
) -> httpx.AsyncClient:
    handler = mangum_handler(f"/{stage}" if stage else "/")
    transport = LambdaTransport(handler, shape=shape, stage=stage)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", cookies=cookies)


# --- builder -------------------------------------------------------------------------------


def test_load_event_returns_independent_copies() -> None:
    first = load_event("rest_api_v1")
    first["requestContext"]["stage"] = "changed"
    assert load_event("rest_api_v1.json")["requestContext"]["stage"] == "prod"


def test_rest_v1_keeps_stage_out_of_path_and_decodes_query() -> None:
    event = build_event(
        "rest_v1",
        "post",
        "/items",
        query="tag=a&tag=b%20c",
        headers=[("X-Tag", "1"), ("X-Tag", "2")],
        cookies={"sid": "abc"},
        body='{"k": 1}',
        stage="dev",
    )
    context = event["requestContext"]
    assert (event["path"], context["path"], context["stage"]) == ("/items", "/dev/items", "dev")
    assert event["httpMethod"] == context["httpMethod"] == "POST"
    assert event["pathParameters"] == {"proxy": "items"}
    assert event["queryStringParameters"] == {"tag": "b c"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b c"]}
    assert event["headers"]["X-Tag"] == "2"
    assert event["multiValueHeaders"]["X-Tag"] == ["1", "2"]
    assert event["headers"]["cookie"] == "sid=abc"
    assert event["headers"]["Host"] == context["domainName"]
    assert (event["body"], event["isBase64Encoded"]) == ('{"k": 1}', False)


def test_http_v2_named_stage_prefixes_raw_path() -> None:
    event = build_event(
        "http_v2",
        "GET",
        "/items",
        query={"tag": ["a", "b c"], "q": "x"},
        headers=[("X-Tag", "1"), ("X-Tag", "2"), ("Cookie", "a=1; b=2")],
        cookies=["c=3"],
        stage="dev",
    )
    context = event["requestContext"]
    assert event["rawPath"] == context["http"]["path"] == "/dev/items"
    assert context["stage"] == "dev"
    assert event["rawQueryString"] == "tag=a&tag=b+c&q=x"
    assert event["queryStringParameters"] == {"tag": "a,b c", "q": "x"}
    assert event["headers"]["x-tag"] == "1,2"
    assert "cookie" not in event["headers"]
    assert event["cookies"] == ["a=1", "b=2", "c=3"]
    assert "body" not in event


def test_http_v2_default_stage_and_function_url_have_no_prefix() -> None:
    assert build_event("http_v2", path="/x")["rawPath"] == "/x"
    assert build_event("http_v2", path="/x", stage="$default")["rawPath"] == "/x"
    event = build_event("function_url", path="/x")
    assert event["rawPath"] == "/x"
    assert event["requestContext"]["domainName"].endswith(".lambda-url.us-east-1.on.aws")
    with pytest.raises(ValueError, match="no API Gateway stage"):
        build_event("function_url", stage="dev")


def test_alb_single_and_multi_value_keep_query_encoded() -> None:
    single = build_event("alb", query=[("tag", "a"), ("tag", "b c")], headers={"X-Tag": "1"})
    assert single["queryStringParameters"] == {"tag": "b+c"}
    assert single["headers"]["x-tag"] == "1"
    assert "multiValueHeaders" not in single
    multi = build_event("alb_multi", query="tag=a&tag=b%20c", headers=[("x-tag", "1")] * 2)
    assert multi["multiValueQueryStringParameters"] == {"tag": ["a", "b%20c"]}
    assert multi["multiValueHeaders"]["x-tag"] == ["1", "1"]
    assert "headers" not in multi
    assert "queryStringParameters" not in multi
    assert multi["body"] == ""


@pytest.mark.parametrize("shape", SHAPES)
def test_binary_bodies_are_base64(shape: Shape) -> None:
    event = build_event(shape, "POST", body=b"\x00\xff")
    assert (event["body"], event["isBase64Encoded"]) == ("AP8=", True)
    forced = build_event(shape, "POST", body="hi", base64=True)
    assert (forced["body"], forced["isBase64Encoded"]) == ("aGk=", True)


def test_lambda_context_has_runtime_attributes() -> None:
    context = lambda_context(request_id="req-1", timeout_s=5)
    assert context.aws_request_id == "req-1"
    assert context.function_name == "app-test"
    assert context.invoked_function_arn.endswith(":function:app-test")
    assert context.memory_limit_in_mb == 512
    assert context.log_group_name == "/aws/lambda/app-test"
    assert context.log_stream_name
    assert context.function_version == "$LATEST"
    assert 0 < context.get_remaining_time_in_millis() <= 5000
    assert lambda_context().aws_request_id != lambda_context().aws_request_id


# --- event files through Mangum ------------------------------------------------------------

EVENT_NAMES = sorted(path.stem for path in EVENTS_DIR.glob("*.json"))
HTTP_EVENTS = [name for name in EVENT_NAMES if "requestContext" in load_event(name)]


def test_event_files_cover_every_source() -> None:
    assert {"scheduled_warmup", "migrate"} <= set(EVENT_NAMES) - set(HTTP_EVENTS)
    assert len(HTTP_EVENTS) == 7


@pytest.mark.parametrize("name", HTTP_EVENTS)
def test_every_http_event_file_routes_to_health(name: str) -> None:
    handler = mangum_handler("/dev" if "stage_dev" in name else "/")
    result = invoke(handler, load_event(name))
    assert result["statusCode"] == 200
    assert result["body"] == '{"status":"ok"}'


@pytest.mark.parametrize("name", ["scheduled_warmup", "migrate"])
def test_mangum_rejects_non_http_events(name: str) -> None:
    with pytest.raises(RuntimeError, match="unable to infer a handler"):
        invoke(mangum_handler(), load_event(name))


def test_base_path_is_stripped_as_a_plain_prefix() -> None:
    handler = mangum_handler("/dev")
    assert invoke(handler, build_event("rest_v1", path="/devices"))["statusCode"] == 404
    assert invoke(handler, build_event("rest_v1", path="/health"))["statusCode"] == 200


def test_named_stage_needs_base_path() -> None:
    event = build_event("http_v2", path="/health", stage="dev")
    assert invoke(mangum_handler("/"), event)["statusCode"] == 404
    assert invoke(mangum_handler("/dev"), event)["statusCode"] == 200


# --- transport round trips -----------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(("shape", "stage"), ROUTES, ids=ROUTE_IDS)
async def test_query_headers_and_cookies_round_trip(shape: Shape, stage: str | None) -> None:
    async with client(shape, stage, cookies={"sid": "abc", "theme": "dark"}) as http:
        response = await http.get(
            "/echo",
            params=[("tag", "a"), ("tag", "b c&d"), ("empty", "")],
            headers=[("x-tag", "1"), ("x-tag", "2")],
        )
    assert response.status_code == 200
    data = response.json()
    assert data["url"].startswith("http://testserver/echo?")
    assert data["cookies"] == {"sid": "abc", "theme": "dark"}
    if shape == "alb":
        assert data["query"] == [["tag", "b c&d"], ["empty", ""]]
    else:
        assert data["query"] == [["tag", "a"], ["tag", "b c&d"], ["empty", ""]]
    expected_tags = {"rest_v1": ["1, 2"], "alb": ["2"], "alb_multi": ["1", "2"]}
    assert data["x_tag"] == expected_tags.get(shape, ["1,2"])


@pytest.mark.asyncio
@pytest.mark.parametrize(("shape", "stage"), ROUTES, ids=ROUTE_IDS)
async def test_bodies_and_set_cookies_round_trip(shape: Shape, stage: str | None) -> None:
    async with client(shape, stage) as http:
        echoed = await http.post("/echo/body", content=BINARY)
        text = await http.post("/echo/body", json={"k": "v"})
        binary = await http.get("/binary")
        cookies = await http.get("/cookies")
        missing = await http.get("/missing")
    assert echoed.json() == {"hex": BINARY.hex()}
    assert text.json() == {"hex": b'{"k":"v"}'.hex()}
    assert binary.content == BINARY
    assert binary.headers["content-type"] == "application/octet-stream"
    assert cookies.json() == {"set": 2}
    assert [c.split(";")[0] for c in cookies.headers.get_list("set-cookie")] == ["a=1", "b=2"]
    assert (http.cookies["a"], http.cookies["b"]) == ("1", "2")
    if shape in ("http_v2", "function_url"):
        assert cookies.headers.get_list("x-multi") == ["1,2"]
    else:
        assert cookies.headers.get_list("x-multi") == ["1", "2"]
    assert missing.status_code == 404


@pytest.mark.asyncio
@pytest.mark.parametrize("shape", ["alb_multi", "http_v2"])
async def test_matches_asgi_transport(shape: Shape) -> None:
    transport = httpx.ASGITransport(make_app())
    cookies = {"c": "1"}
    asgi = httpx.AsyncClient(transport=transport, base_url="http://testserver", cookies=cookies)
    async with asgi, client(shape, None, cookies) as http:
        for path in ("/echo?x=1&x=2", "/health", "/binary", "/missing"):
            expected, got = await asgi.get(path), await http.get(path)
            assert (got.status_code, got.content) == (expected.status_code, expected.content)
            assert got.headers["content-type"] == expected.headers["content-type"]


@pytest.fixture(scope="module")
def handler_thread() -> int:
    ident = run_on_handler_thread(threading.get_ident)
    assert ident != threading.get_ident()
    return ident


@pytest.mark.asyncio
async def test_async_invocations_run_on_the_handler_thread(handler_thread: int) -> None:
    async with client("http_v2", None) as http:
        idents = {(await http.get("/thread")).json()["ident"] for _ in range(3)}
    assert idents == {handler_thread}


def test_sync_invocations_run_on_the_handler_thread(handler_thread: int) -> None:
    transport = SyncLambdaTransport(mangum_handler(), shape="alb")
    with httpx.Client(transport=transport, base_url="http://testserver") as http:
        assert http.get("/thread").json()["ident"] == handler_thread


def test_sync_transport_outside_event_loop() -> None:
    transport = SyncLambdaTransport(mangum_handler("/dev"), shape="rest_v1", stage="dev")
    with httpx.Client(transport=transport, base_url="https://api.example.com") as http:
        response = http.get("/echo", params={"q": "1"})
    assert response.json()["url"] == "https://api.example.com/echo?q=1"


@pytest.mark.asyncio
async def test_v2_plain_json_result_becomes_200() -> None:
    def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
        return {"path": event["rawPath"]}

    transport = LambdaTransport(handler, shape="function_url")
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/anything")
    assert response.status_code == 200
    assert response.json() == {"path": "/anything"}
