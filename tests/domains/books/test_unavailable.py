"""A PostgreSQL that is down: fast mapped 503s, readiness fails, liveness stays up."""

import time

from tests.conftest import AppFactory
from tests.support.envelope import assert_envelope
from tests.support.http_shapes import ClientFor

DEADLINE_SECONDS = 5.0


async def test_closed_port_gives_fast_503s_and_not_ready(
    postgresql_down: str, app_factory: AppFactory, client_for: ClientFor
) -> None:
    async with client_for(app_factory()) as client:
        started = time.perf_counter()
        books = await client.get("/v1/books")
        elapsed = time.perf_counter() - started
        ready = await client.get("/health/ready")
        health = await client.get("/health")

    assert_envelope(books, 503, code=9001)
    assert elapsed < DEADLINE_SECONDS
    assert books.headers["retry-after"] == "1"
    assert "127.0.0.1" not in books.text
    checks = assert_envelope(ready, 503, code=9004)["checks"]
    assert [(check["name"], check["ok"]) for check in checks if check["name"] == "postgresql"] == [
        ("postgresql", False)
    ]
    assert assert_envelope(health, 200) == {"status": "ok"}


async def test_writes_are_503_too(
    postgresql_down: str, app_factory: AppFactory, client_for: ClientFor
) -> None:
    async with client_for(app_factory()) as client:
        response = await client.post(
            "/v1/books", json={"title": "T", "author": "A", "year": 2000, "type": "online"}
        )

    assert_envelope(response, 503, code=9001)
