"""The Idempotency-Key middleware on a small app of its own, against a real Redis."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.responses import Response
from starlette.types import Message

from app.core.settings import Settings
from app.http.envelope import envelope_response
from app.http.errors.exceptions import ServiceUnavailableError
from app.http.errors.handlers import install_error_handlers
from app.http.errors.middleware import UnhandledErrorMiddleware
from app.http.idempotency.middleware import IdempotencyMiddleware
from app.http.idempotency.route import IDEMPOTENT, idempotent_routes
from app.http.idempotency.store import IN_FLIGHT_SECONDS, RedisIdempotencyStore
from app.http.request_context.middleware import RequestContextMiddleware
from tests.conftest import AppFactory, SettingsFactory
from tests.support.envelope import assert_envelope

if TYPE_CHECKING:
    from redis.asyncio import Redis


class Things:
    """A route that creates things, with knobs for slowness and failures."""

    def __init__(self) -> None:
        self.created: list[dict[str, Any]] = []
        self.delay = 0.0
        self.failures: list[Exception] = []

    def app(self, settings: Settings) -> FastAPI:
        app = FastAPI()
        install_error_handlers(app)

        @app.post("/things/{kind}", dependencies=[IDEMPOTENT])
        async def create(kind: str, body: dict[str, Any]) -> Response:
            await asyncio.sleep(self.delay)
            if self.failures:
                raise self.failures.pop(0)
            self.created.append({"kind": kind, **body})
            thing = {"number": len(self.created), "kind": kind}
            headers = {"Location": f"/things/{kind}/{len(self.created)}", "X-Other": "x"}
            return envelope_response(thing, status_code=201, headers=headers)

        @app.post("/others", dependencies=[IDEMPOTENT])
        async def other(body: dict[str, Any]) -> Response:
            self.created.append(body)
            return envelope_response(None, status_code=201)

        @app.post("/undeclared")
        async def undeclared(body: dict[str, Any]) -> Response:
            self.created.append(body)
            return envelope_response(None, status_code=201)

        store = RedisIdempotencyStore(settings)
        routes = idempotent_routes(app.routes)
        app.add_middleware(IdempotencyMiddleware, store=store, routes=routes, trusted_proxy_hops=0)
        app.add_middleware(UnhandledErrorMiddleware)
        app.add_middleware(RequestContextMiddleware)
        return app


@pytest.fixture
def things() -> Things:
    return Things()


@pytest.fixture
async def client(things: Things, redis_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(things.app(redis_settings)) as http:
        yield http


def _client(app: FastAPI, ip: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def _key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


async def test_a_retry_replays_the_first_response_with_its_own_trace_id(
    client: httpx.AsyncClient, things: Things
) -> None:
    first = await client.post("/things/a", json={"n": 1}, headers=_key("k1"))
    retry = await client.post(
        "/things/a", json={"n": 1}, headers=_key("k1") | {"X-Request-ID": "retry-1"}
    )

    assert assert_envelope(first, 201) == assert_envelope(retry, 201) == {"number": 1, "kind": "a"}
    assert len(things.created) == 1
    assert "idempotent-replayed" not in first.headers
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json()["trace_id"] == retry.headers["x-request-id"] == "retry-1"
    assert retry.headers["location"] == first.headers["location"]
    assert "x-other" not in retry.headers  # only headers that are part of the result replay


async def test_concurrent_duplicates_are_409_while_the_first_runs(
    client: httpx.AsyncClient, things: Things, redis_client: "Redis"
) -> None:
    things.delay = 0.5
    responses = await asyncio.gather(
        *(client.post("/things/a", json={"n": 1}, headers=_key("k1")) for _ in range(10))
    )

    assert Counter(response.status_code for response in responses) == {201: 1, 409: 9}
    assert len(things.created) == 1
    for response in responses:
        if response.status_code == 409:
            assert_envelope(response, 409, code=8007)
            assert response.headers["retry-after"] == "1"
    things.delay = 0
    retry = await client.post("/things/a", json={"n": 1}, headers=_key("k1"))
    assert assert_envelope(retry, 201)["number"] == 1


async def test_an_in_flight_claim_expires_and_a_kept_response_lasts_the_ttl(
    client: httpx.AsyncClient, things: Things, redis_client: "Redis", redis_settings: Settings
) -> None:
    things.delay = 0.3
    pending = asyncio.create_task(client.post("/things/a", json={}, headers=_key("k1")))
    await asyncio.sleep(0.1)
    [key] = [key async for key in redis_client.scan_iter(match=f"{redis_settings.service_name}:*")]
    assert 0 < await redis_client.ttl(key) <= IN_FLIGHT_SECONDS
    assert_envelope(await pending, 201)
    assert IN_FLIGHT_SECONDS < await redis_client.ttl(key) <= redis_settings.idempotency_ttl_seconds


async def test_same_key_with_another_request_is_422(client: httpx.AsyncClient) -> None:
    await client.post("/things/a", json={"n": 1}, headers=_key("k1"))
    other_body = await client.post("/things/a", json={"n": 2}, headers=_key("k1"))
    other_path = await client.post("/things/b", json={"n": 1}, headers=_key("k1"))
    assert_envelope(other_body, 422, code=8008)
    assert_envelope(other_path, 422, code=8008)


async def test_keys_are_scoped_per_route_and_per_client(
    things: Things, redis_settings: Settings
) -> None:
    app = things.app(redis_settings)
    async with _client(app, "192.0.2.1") as first, _client(app, "192.0.2.2") as second:
        assert_envelope(await first.post("/things/a", json={}, headers=_key("k1")), 201)
        assert_envelope(await first.post("/others", json={}, headers=_key("k1")), 201)
        assert_envelope(await second.post("/things/a", json={}, headers=_key("k1")), 201)
    assert len(things.created) == 3


async def test_a_5xx_is_not_kept_so_a_retry_runs_again(
    client: httpx.AsyncClient, things: Things
) -> None:
    things.failures = [ServiceUnavailableError(), RuntimeError("bug")]
    assert_envelope(await client.post("/things/a", json={}, headers=_key("k1")), 503, code=9000)
    assert_envelope(await client.post("/things/a", json={}, headers=_key("k1")), 500, code=100)
    retry = await client.post("/things/a", json={}, headers=_key("k1"))
    assert assert_envelope(retry, 201)["number"] == 1
    assert "idempotent-replayed" not in retry.headers


async def test_a_4xx_is_kept_and_replayed(client: httpx.AsyncClient, things: Things) -> None:
    first = await client.post("/things/a", content=b"not json", headers=_key("k1"))
    retry = await client.post("/things/a", content=b"not json", headers=_key("k1"))
    assert_envelope(first, 422, code=8001)
    assert_envelope(retry, 422, code=8001)
    assert retry.headers["idempotent-replayed"] == "true"


@pytest.mark.parametrize(
    "key", [b"", b" ", b"a" * 256, "ключ".encode(), b"with space", b'"unclosed', b"a\tb"]
)
async def test_a_malformed_key_is_400(client: httpx.AsyncClient, key: bytes) -> None:
    response = await client.post("/things/a", json={}, headers={b"Idempotency-Key": key})
    details = assert_envelope(response, 400, code=8009)
    assert details["header"] == "Idempotency-Key"


async def test_a_structured_field_string_key_is_the_same_key(
    client: httpx.AsyncClient, things: Things
) -> None:
    await client.post("/things/a", json={}, headers=_key("k1"))
    retry = await client.post("/things/a", json={}, headers=_key('"k1"'))
    assert retry.headers["idempotent-replayed"] == "true"
    assert len(things.created) == 1


async def test_two_keys_are_400(client: httpx.AsyncClient) -> None:
    headers = [("Idempotency-Key", "k1"), ("Idempotency-Key", "k2")]
    response = await client.post("/things/a", json={}, headers=headers)
    assert_envelope(response, 400, code=8009)


async def test_without_a_key_or_on_undeclared_routes_redis_is_not_touched(
    things: Things, settings_factory: SettingsFactory, closed_port_redis_url: str
) -> None:
    app = things.app(settings_factory(redis_url=closed_port_redis_url))
    async with _client(app) as client:
        assert_envelope(await client.post("/things/a", json={}), 201)
        assert_envelope(await client.post("/things/a", json={}), 201)
        undeclared = await client.post("/undeclared", json={}, headers=_key("k1"))
        with_key = await client.post("/things/a", json={}, headers=_key("k1"))
    assert_envelope(undeclared, 201)
    assert_envelope(with_key, 503, code=9003)
    assert len(things.created) == 3


def test_the_routes_that_declared_it_are_found_per_method(things: Things) -> None:
    app = things.app(Settings())
    found = {(route.name, route.method) for route in idempotent_routes(app.routes)}
    assert found == {("POST /things/{kind}", "POST"), ("POST /others", "POST")}


async def test_lifespan_events_pass_through(
    app_factory: AppFactory, redis_overrides: dict[str, Any]
) -> None:
    # uvicorn sends the lifespan protocol through every middleware before serving
    app = app_factory(**redis_overrides, rate_limit_requests=5)
    incoming: list[Message] = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    answered: list[str] = []

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        answered.append(message["type"])

    await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    assert answered == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
