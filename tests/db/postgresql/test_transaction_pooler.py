"""Through PgBouncer in transaction mode (how RDS Proxy and managed poolers pool), with default
settings: reads, writes, concurrent If-Match updates and migrations, and nothing that depends
on a server session (prepared statements, session settings) surviving between transactions."""

import asyncio
import os
import secrets
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import psycopg
import pytest
from alembic import command
from fastapi import FastAPI
from sqlalchemy import make_url

from app.core.settings import testing
from app.db.postgresql.migrate import alembic_config, upgrade_to_head
from tests.conftest import AppFactory, app_client
from tests.db.postgresql.test_migrations import revisions_in_order
from tests.domains.books.factories import an_author, create_book
from tests.support.envelope import assert_envelope

# The databases here run their sessions in a zone that is not UTC (+05:45).
SERVER_ZONE = "Asia/Kathmandu"
# More executions of one statement than psycopg's default threshold for preparing it (5).
REPEATS = 8
WRITERS = 20


@asynccontextmanager
async def _pooled_database(pgbouncer_url: str) -> AsyncIterator[str]:
    """A new database reached through PgBouncer (its URL), dropped afterwards."""
    name = f"pooler_{secrets.token_hex(4)}"
    direct = make_url(os.environ["POSTGRESQL_URL"]).set(drivername="postgresql")
    dsn = direct.render_as_string(hide_password=False)
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as server:
        await server.execute(f'CREATE DATABASE "{name}"')
        await server.execute(f"ALTER DATABASE \"{name}\" SET timezone TO '{SERVER_ZONE}'")
        try:
            yield make_url(pgbouncer_url).set(database=name).render_as_string(hide_password=False)
        finally:
            await server.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
async def pooled_url(pgbouncer_url: str) -> AsyncIterator[str]:
    """A database migrated to head through the pooler."""
    async with _pooled_database(pgbouncer_url) as url:
        await asyncio.to_thread(upgrade_to_head, testing.TestingSettings(postgresql_url=url))
        yield url


@pytest.fixture
def pooled_app(app_factory: AppFactory, pooled_url: str) -> FastAPI:
    # No Redis: every read goes to PostgreSQL instead of the read cache.
    return app_factory(postgresql_url=pooled_url, redis_url=None)


def _is_utc(timestamp: str) -> bool:
    return datetime.fromisoformat(timestamp).utcoffset() == timedelta(0)


@pytest.mark.parametrize("transport", ["asgi", "http_v2"])
async def test_reads_and_writes_through_the_pooler(pooled_app: FastAPI, transport: str) -> None:
    author = an_author()
    async with app_client(pooled_app, transport) as client:
        books = [await create_book(client, author=author) for _ in range(3)]
        for _ in range(REPEATS):
            for book in books:
                assert_envelope(await client.get(f"/v1/books/{book['id']}"), 200)
            listed = assert_envelope(await client.get("/v1/books", params={"author": author}), 200)
            assert listed["total"] == 3
        path = f"/v1/books/{books[0]['id']}"
        patched = assert_envelope(
            await client.patch(path, json={"title": "Renamed"}, headers={"If-Match": '"1"'}), 200
        )
        deleted = await client.delete(path, headers={"If-Match": '"2"'})
        gone = await client.get(path)
    assert patched["version"] == 2
    assert deleted.status_code == 204
    assert_envelope(gone, 404, code=1001)
    # The server sessions run in +05:45; the API answers in UTC all the same.
    assert all(_is_utc(patched[field]) for field in ("created_at", "updated_at"))


async def test_concurrent_requests_through_the_pooler(pooled_app: FastAPI) -> None:
    # Given more client connections (the app's pool) than the pooler has server connections
    async with app_client(pooled_app) as client:
        book = await create_book(client)
        path = f"/v1/books/{book['id']}"
        # When a burst of reads and twenty If-Match writers arrive at once
        reads = [client.get(path) for _ in range(REPEATS * 5)]
        writes = [
            client.patch(path, json={"title": f"writer {n}"}, headers={"If-Match": '"1"'})
            for n in range(WRITERS)
        ]
        responses = await asyncio.gather(*reads, *writes)
        stored = assert_envelope(await client.get(path), 200)
    # Then every read answers, and exactly one writer wins
    assert Counter(response.status_code for response in responses[: len(reads)]) == {
        200: len(reads)
    }
    outcomes = Counter(response.status_code for response in responses[len(reads) :])
    assert outcomes == {200: 1, 412: WRITERS - 1}
    assert stored["version"] == 2


async def test_migrations_run_through_the_pooler(pgbouncer_url: str) -> None:
    async with _pooled_database(pgbouncer_url) as url:
        settings = testing.TestingSettings(postgresql_url=url)
        first = await asyncio.to_thread(upgrade_to_head, settings)
        await asyncio.to_thread(command.downgrade, alembic_config(settings), "base")
        again = await asyncio.to_thread(upgrade_to_head, settings)
    revisions = revisions_in_order(settings)
    assert first["applied"] == again["applied"] == revisions
