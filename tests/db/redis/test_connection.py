"""The shared Redis client: one per process, namespaced keys, fast failure when Redis is down."""

import asyncio
import time

import pytest
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from app.core.settings import Settings
from app.db.breaker import CircuitOpenError
from app.db.redis.connection import (
    RedisNotConfiguredError,
    get_client,
    guarded_client,
    ping,
    redis_key,
    unavailable_errors,
)
from tests.conftest import AppFactory, SettingsFactory, app_client
from tests.support.envelope import assert_envelope


async def test_the_client_is_created_once_and_reused(redis_settings: Settings) -> None:
    first = await get_client(redis_settings)
    assert await get_client(redis_settings) is first
    await ping(redis_settings)


async def test_keys_are_namespaced_by_service_and_environment(
    redis_settings: Settings,
) -> None:
    key = redis_key(redis_settings, "cache", "book", "42")
    assert key == f"{redis_settings.service_name}:testing:cache:book:42"


async def test_no_url_means_not_configured(settings_factory: SettingsFactory) -> None:
    with pytest.raises(RedisNotConfiguredError):
        await get_client(settings_factory(redis_url=None, redis_url_secret_id=None))


async def test_a_closed_port_fails_fast(
    settings_factory: SettingsFactory, closed_port_redis_url: str
) -> None:
    settings = settings_factory(redis_url=closed_port_redis_url)
    started = time.perf_counter()
    with pytest.raises(unavailable_errors()):
        await ping(settings)
    assert time.perf_counter() - started < 2


async def test_a_server_that_never_answers_times_out_within_the_socket_timeout(
    settings_factory: SettingsFactory, silent_server_url: str
) -> None:
    settings = settings_factory(redis_url=silent_server_url, redis_socket_timeout_seconds=0.3)
    started = time.perf_counter()
    with pytest.raises(unavailable_errors()):
        await ping(settings)
    assert time.perf_counter() - started < 1


async def test_readiness_pings_redis(
    app_factory: AppFactory, redis_overrides: dict[str, object], closed_port_redis_url: str
) -> None:
    async with app_client(app_factory(**redis_overrides)) as client:
        data = assert_envelope(await client.get("/health/ready"), 200)
    assert {"name": "redis", "ok": True}.items() <= _check(data, "redis").items()

    async with app_client(app_factory(redis_url=closed_port_redis_url)) as client:
        details = assert_envelope(await client.get("/health/ready"), 503, code=9004)
    assert _check(details, "redis")["ok"] is False


def _check(report: dict[str, list[dict[str, object]]], name: str) -> dict[str, object]:
    return next(check for check in report["checks"] if check["name"] == name)


async def test_repeated_timeouts_open_the_circuit_breaker(
    settings_factory: SettingsFactory, silent_server_url: str
) -> None:
    # Given a hung Redis and a breaker that opens after two timeouts
    settings = settings_factory(
        redis_url=silent_server_url,
        redis_socket_timeout_seconds=0.2,
        redis_breaker_failures=2,
        redis_breaker_cooldown_seconds=0.5,
    )
    for _ in range(2):
        with pytest.raises(RedisTimeoutError):
            async with guarded_client(settings, "GET") as client:
                await client.get("key")

    # When the next call comes, it is refused at once, as Redis being down
    started = time.perf_counter()
    with pytest.raises(CircuitOpenError) as refused:
        async with guarded_client(settings, "GET"):
            pytest.fail("the block must not run while the circuit is open")
    assert time.perf_counter() - started < 0.1
    assert isinstance(refused.value, unavailable_errors())

    # Readiness bypasses the breaker and sees the real server
    with pytest.raises(RedisTimeoutError):
        await ping(settings)

    # After the cooldown, a call tries Redis again
    await asyncio.sleep(0.5)
    with pytest.raises(RedisTimeoutError):
        async with guarded_client(settings, "GET") as client:
            await client.get("key")


async def test_an_error_answer_is_not_an_outage(
    redis_settings: Settings, settings_factory: SettingsFactory
) -> None:
    settings = settings_factory(
        **{**redis_settings.model_dump(include={"service_name"}), "redis_breaker_failures": 1}
    )
    for _ in range(3):
        with pytest.raises(ResponseError):
            async with guarded_client(settings, "GET") as client:
                await client.eval("return redis.error_reply('no')", 0)
    async with guarded_client(settings, "GET") as client:
        assert await client.ping()
