"""GET /v1/books/{id} through the Redis read cache: X-Cache, and never stale after a write."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import AppFactory
from tests.domains.books.factories import book_payload, create_book
from tests.support.envelope import assert_envelope


@pytest.fixture
def app(app_factory: AppFactory, redis_overrides: dict[str, Any]) -> FastAPI:
    return app_factory(**redis_overrides)


async def _get(client: httpx.AsyncClient, book_id: str) -> tuple[dict[str, Any], str]:
    response = await client.get(f"/v1/books/{book_id}")
    return assert_envelope(response, 200), response.headers["x-cache"]


async def test_a_second_read_is_a_hit_and_a_patch_is_seen_at_once(
    client: httpx.AsyncClient,
) -> None:
    book = await create_book(client)

    first, first_cache = await _get(client, book["id"])
    second, second_cache = await _get(client, book["id"])
    assert (first_cache, second_cache) == ("MISS", "HIT")
    assert first == second == book

    patched = await client.patch(f"/v1/books/{book['id']}", json={"title": "New title"})
    assert_envelope(patched, 200)
    after, after_cache = await _get(client, book["id"])
    assert after_cache == "MISS"
    assert (after["title"], after["version"]) == ("New title", 2)
    assert (await _get(client, book["id"]))[1] == "HIT"


async def test_a_put_invalidates(client: httpx.AsyncClient) -> None:
    book = await create_book(client)
    await _get(client, book["id"])
    replacement = book_payload(title="Replaced")
    assert_envelope(await client.put(f"/v1/books/{book['id']}", json=replacement), 200)
    after, cache = await _get(client, book["id"])
    assert (cache, after["title"], after["version"]) == ("MISS", "Replaced", 2)


async def test_a_deleted_book_is_not_served_from_the_cache(client: httpx.AsyncClient) -> None:
    book = await create_book(client)
    await _get(client, book["id"])
    assert (await client.delete(f"/v1/books/{book['id']}")).status_code == 204
    assert_envelope(await client.get(f"/v1/books/{book['id']}"), 404, code=1001)


async def test_a_refused_write_keeps_the_cached_book(client: httpx.AsyncClient) -> None:
    book = await create_book(client)
    await _get(client, book["id"])
    stale = await client.patch(
        f"/v1/books/{book['id']}", json={"title": "x"}, headers={"If-Match": '"9"'}
    )
    assert_envelope(stale, 412, code=1003)
    assert await _get(client, book["id"]) == (book, "HIT")
