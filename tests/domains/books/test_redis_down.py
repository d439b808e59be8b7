"""Books with Redis down: reads and plain writes carry on, keyed creations refuse, fast."""

import time

from tests.conftest import AppFactory
from tests.domains.books.factories import book_payload, create_book
from tests.support.envelope import assert_envelope
from tests.support.http_shapes import ClientFor

DEADLINE_SECONDS = 2.0


async def test_reads_and_writes_work_and_keyed_creations_are_503(
    app_factory: AppFactory, closed_port_redis_url: str, client_for: ClientFor
) -> None:
    app = app_factory(redis_url=closed_port_redis_url, rate_limit_requests=5)
    async with client_for(app) as client:
        started = time.perf_counter()
        book = await create_book(client)
        read = await client.get(f"/v1/books/{book['id']}")
        patched = await client.patch(f"/v1/books/{book['id']}", json={"title": "Still works"})
        keyed = await client.post(
            "/v1/books", json=book_payload(), headers={"Idempotency-Key": "k1"}
        )
        elapsed = time.perf_counter() - started

    assert assert_envelope(read, 200) == book
    assert read.headers["x-cache"] == "MISS"
    assert "ratelimit-limit" not in read.headers
    assert assert_envelope(patched, 200)["title"] == "Still works"
    assert_envelope(keyed, 503, code=9003)
    assert keyed.headers["retry-after"] == "1"
    assert elapsed < DEADLINE_SECONDS
