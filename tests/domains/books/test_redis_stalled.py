"""Books with a hung Redis (it accepts connections, never answers): after a few timeouts the
circuit breaker skips Redis, so reads and plain writes are fast again and keyed creations
are refused at once; after the cooldown one request tries Redis again."""

import asyncio
import time

import httpx

from tests.conftest import AppFactory
from tests.domains.books.factories import book_payload, create_book
from tests.support.envelope import assert_envelope
from tests.support.http_shapes import ClientFor

SOCKET_TIMEOUT = 0.3
COOLDOWN = 1.5


async def _timed_get(client: httpx.AsyncClient, path: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = await client.get(path)
    return response, time.perf_counter() - started


async def test_a_hung_redis_is_skipped_after_a_few_timeouts(
    app_factory: AppFactory, silent_server_url: str, client_for: ClientFor
) -> None:
    app = app_factory(
        redis_url=silent_server_url,
        redis_socket_timeout_seconds=SOCKET_TIMEOUT,
        redis_breaker_failures=3,
        redis_breaker_cooldown_seconds=COOLDOWN,
        rate_limit_requests=100,
    )
    async with client_for(app) as client:
        # The first requests each wait for Redis: the rate limit, then the cache
        book = await create_book(client)
        path = f"/v1/books/{book['id']}"
        first, waited = await _timed_get(client, path)
        assert waited >= SOCKET_TIMEOUT

        # Once the breaker is open, twenty reads together cost less than one timeout each
        started = time.perf_counter()
        reads = [await client.get(path) for _ in range(20)]
        assert time.perf_counter() - started < 20 * SOCKET_TIMEOUT / 3
        for read in [first, *reads]:
            assert assert_envelope(read, 200) == book
            assert read.headers["x-cache"] == "MISS"
            assert "ratelimit-limit" not in read.headers
        patched = await client.patch(path, json={"title": "Still works"})
        assert assert_envelope(patched, 200)["title"] == "Still works"

        # An Idempotency-Key cannot be honoured without Redis: 503/9003, at once
        started = time.perf_counter()
        keyed = await client.post(
            "/v1/books", json=book_payload(), headers={"Idempotency-Key": "stalled-1"}
        )
        assert time.perf_counter() - started < SOCKET_TIMEOUT
        assert_envelope(keyed, 503, code=9003)
        assert keyed.headers["retry-after"] == "1"

        # After the cooldown, a request tries Redis again (and waits for it)
        await asyncio.sleep(COOLDOWN)
        retried, waited = await _timed_get(client, path)
        assert waited >= SOCKET_TIMEOUT
        assert_envelope(retried, 200)
