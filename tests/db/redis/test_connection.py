"""The shared Redis client: one per process, namespaced keys, fast failure when Redis is down."""

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from app.core.settings import Settings
from app.db.redis.connection import (
    RedisNotConfiguredError,
    get_client,
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


@pytest.fixture
async def silent_server_url() -> AsyncIterator[str]:
    """A server that accepts connections and never answers (a hung Redis)."""

    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"redis://127.0.0.1:{port}/0"
    server.close()


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
