"""The request's edge: base path, X-Request-ID and security headers on every response."""

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from app.http.request_context.middleware import SECURITY_HEADERS
from tests.conftest import AppFactory, app_client
from tests.support.envelope import assert_envelope

EDGE_HEADERS = {"x-request-id": "edge-1"} | {
    name.decode(): value.decode() for name, value in SECURITY_HEADERS
}


def _app(app_factory: AppFactory) -> FastAPI:
    app = app_factory(max_request_body_bytes=8)

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("boom")

    @app.post("/echo")
    async def echo(body: dict[str, str]) -> dict[str, str]:
        return body

    @app.get("/own-headers")
    async def own_headers() -> JSONResponse:
        headers = {
            "X-Frame-Options": "SAMEORIGIN",
            "X-Request-ID": "from-the-route",
            "Server": "internal/1.0",
            "X-Other": "kept",
        }
        return JSONResponse({"ok": True}, headers=headers)

    return app


def _assert_edge_headers(response: httpx.Response) -> None:
    for name, value in EDGE_HEADERS.items():
        assert response.headers.get_list(name) == [value], (name, response.headers)
    assert "server" not in response.headers


async def test_every_response_carries_the_edge_headers_once(app_factory: AppFactory) -> None:
    headers = {"X-Request-ID": "edge-1"}
    async with app_client(_app(app_factory)) as client:
        responses = [
            (await client.get("/health", headers=headers), 200),
            (await client.get("/nope", headers=headers), 404),
            (await client.get("/crash", headers=headers), 500),
            (await client.post("/echo", content=b"x" * 9, headers=headers), 413),
        ]
    for response, status in responses:
        assert_envelope(response, status)
        _assert_edge_headers(response)


async def test_headers_a_route_sets_are_replaced_not_duplicated(app_factory: AppFactory) -> None:
    async with app_client(_app(app_factory)) as client:
        response = await client.get("/own-headers", headers={"X-Request-ID": "edge-1"})
    _assert_edge_headers(response)
    assert response.headers["x-other"] == "kept"


async def test_base_path_is_the_root_path(app_factory: AppFactory) -> None:
    async with app_client(app_factory(api_base_path="/dev")) as client:
        staged = await client.get("/dev/health")
        unstaged = await client.get("/health")
        openapi = (await client.get("/dev/openapi.json")).json()
    assert_envelope(staged, 200)
    assert_envelope(unstaged, 200)
    assert openapi["servers"] == [{"url": "/dev"}]


async def test_the_base_path_without_a_slash_is_the_root(app_factory: AppFactory) -> None:
    async with app_client(app_factory(api_base_path="/dev")) as client:
        bare, slashed = await client.get("/dev"), await client.get("/dev/")
    assert_envelope(bare, 200)
    assert bare.json()["data"] == slashed.json()["data"]
    assert bare.json()["data"]["docs_url"] == "/dev/docs"
