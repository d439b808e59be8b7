"""Rate limit on /v1 against a real Redis: budget, headers, 429, reset, scope and outages."""

import asyncio
import json
import time
from typing import Any

import httpx
from fastapi import FastAPI
from loguru import logger

from app.lambda_handler import build_handler
from tests.conftest import AppFactory, app_client
from tests.support.envelope import assert_envelope
from tests.support.lambda_events import build_event
from tests.support.lambda_transport import invoke, run_on_handler_thread

LIMITED = "/v1/books"


async def _start_of_a_window(seconds: int) -> None:
    """Windows are aligned to the clock: start just after a boundary so a burst fits in one."""
    await asyncio.sleep(seconds - time.time() % seconds + 0.05)


def _client_at(app: FastAPI, ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_the_request_over_the_limit_is_429_until_the_window_ends(
    app_factory: AppFactory, redis_overrides: dict[str, Any]
) -> None:
    app = app_factory(**redis_overrides, rate_limit_requests=5, rate_limit_window_seconds=2)
    async with app_client(app) as client:
        await _start_of_a_window(2)
        allowed = [await client.get(LIMITED) for _ in range(5)]
        refused = await client.get(LIMITED)
        await asyncio.sleep(int(refused.headers["retry-after"]))
        again = await client.get(LIMITED)

    for response in allowed:
        assert_envelope(response, 200)
        assert response.headers["ratelimit-limit"] == "5"
        assert 1 <= int(response.headers["ratelimit-reset"]) <= 2
    assert [int(r.headers["ratelimit-remaining"]) for r in allowed] == [4, 3, 2, 1, 0]
    details = assert_envelope(refused, 429, code=8005)
    assert details == {"limit": 5, "retry_after_seconds": int(refused.headers["retry-after"])}
    assert 1 <= int(refused.headers["retry-after"]) <= 2
    assert refused.headers["ratelimit-remaining"] == "0"
    assert refused.headers["x-content-type-options"] == "nosniff"
    assert_envelope(again, 200)
    assert again.headers["ratelimit-remaining"] == "4"


async def test_base_endpoints_are_not_limited(
    app_factory: AppFactory, redis_overrides: dict[str, Any]
) -> None:
    app = app_factory(**redis_overrides, rate_limit_requests=1, rate_limit_window_seconds=60)
    async with app_client(app) as client:
        await client.get(LIMITED)
        assert_envelope(await client.get(LIMITED), 429, code=8005)
        for path in ("/", "/health", "/health/ready", "/docs", "/openapi.json"):
            response = await client.get(path)
            assert response.status_code == 200, path
            assert "ratelimit-limit" not in response.headers


async def test_each_client_has_its_own_budget(
    app_factory: AppFactory, redis_overrides: dict[str, Any]
) -> None:
    app = app_factory(**redis_overrides, rate_limit_requests=1, rate_limit_window_seconds=60)
    async with _client_at(app, "192.0.2.1") as first, _client_at(app, "192.0.2.2") as second:
        assert_envelope(await first.get(LIMITED), 200)
        assert_envelope(await first.get(LIMITED), 429, code=8005)
        assert_envelope(await second.get(LIMITED), 200)


async def test_behind_a_trusted_proxy_the_forwarded_client_is_limited(
    app_factory: AppFactory, redis_overrides: dict[str, Any]
) -> None:
    app = app_factory(
        **redis_overrides, rate_limit_requests=1, rate_limit_window_seconds=60, trusted_proxy_hops=1
    )
    async with app_client(app) as client:
        # A client cannot escape its budget by writing its own X-Forwarded-For entries.
        first = await client.get(LIMITED, headers={"X-Forwarded-For": "1.1.1.1, 192.0.2.9"})
        spoofed = await client.get(LIMITED, headers={"X-Forwarded-For": "2.2.2.2, 192.0.2.9"})
        other = await client.get(LIMITED, headers={"X-Forwarded-For": "192.0.2.10"})
    assert_envelope(first, 200)
    assert_envelope(spoofed, 429, code=8005)
    assert_envelope(other, 200)


def test_on_lambda_the_api_gateway_source_ip_is_the_client(
    app_factory: AppFactory, redis_overrides: dict[str, Any]
) -> None:
    app = app_factory(**redis_overrides, rate_limit_requests=1, rate_limit_window_seconds=60)
    handler = run_on_handler_thread(lambda: build_handler(app, app.state.settings))

    def status_from(source_ip: str) -> int:
        event = build_event("rest_v1", "GET", "/v1/unknown")
        event["requestContext"]["identity"]["sourceIp"] = source_ip
        result = invoke(handler, event)
        assert json.loads(result["body"])["trace_id"]
        return int(result["statusCode"])

    assert [status_from("198.51.100.1"), status_from("198.51.100.1")] == [404, 429]
    assert status_from("198.51.100.2") == 404


async def test_zero_requests_turns_limiting_off(
    app_factory: AppFactory, closed_port_redis_url: str
) -> None:
    app = app_factory(redis_url=closed_port_redis_url, rate_limit_requests=0)
    async with app_client(app) as client:
        response = await client.get("/v1/unknown")
    assert_envelope(response, 404, code=8002)
    assert "ratelimit-limit" not in response.headers


async def test_redis_down_lets_requests_through_with_a_warning(
    app_factory: AppFactory, closed_port_redis_url: str
) -> None:
    app = app_factory(redis_url=closed_port_redis_url, rate_limit_requests=1)
    warnings: list[str] = []
    sink = logger.add(lambda message: warnings.append(str(message)), level="WARNING")
    try:
        async with app_client(app) as client:
            started = time.perf_counter()
            responses = [await client.get("/v1/unknown") for _ in range(3)]
            elapsed = time.perf_counter() - started
    finally:
        logger.remove(sink)
    assert [response.status_code for response in responses] == [404, 404, 404]
    assert "ratelimit-limit" not in responses[0].headers
    assert elapsed < 2
    assert any("Rate limit not applied, Redis unavailable" in line for line in warnings)
