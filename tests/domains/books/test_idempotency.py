"""POST /v1/books with Idempotency-Key: one book per key, whatever the retries and races."""

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import AppFactory
from tests.domains.books.factories import book_payload
from tests.support.envelope import assert_envelope

CONCURRENT_RETRIES = 10


@pytest.fixture
def app(app_factory: AppFactory, redis_overrides: dict[str, Any]) -> FastAPI:
    return app_factory(**redis_overrides)


async def _books_by(client: httpx.AsyncClient, author: str) -> list[dict[str, Any]]:
    page = assert_envelope(await client.get("/v1/books", params={"author": author}), 200)
    items: list[dict[str, Any]] = page["items"]
    return items


async def test_concurrent_retries_create_one_book(client: httpx.AsyncClient) -> None:
    # Given one request body sent ten times at once with the same key
    payload = book_payload()
    headers = {"Idempotency-Key": "create-book-1"}

    # When they all arrive together
    responses = await asyncio.gather(
        *(
            client.post("/v1/books", json=payload, headers=headers)
            for _ in range(CONCURRENT_RETRIES)
        )
    )

    # Then exactly one book exists, and each answer is the creation, its replay or "in flight"
    [book] = await _books_by(client, payload["author"])
    statuses = Counter(response.status_code for response in responses)
    assert set(statuses) <= {201, 409}
    assert statuses[201] >= 1
    created = [response for response in responses if response.status_code == 201]
    assert sum("idempotent-replayed" not in response.headers for response in created) == 1
    for response in created:
        assert assert_envelope(response, 201)["id"] == book["id"]
    for response in responses:
        if response.status_code == 409:
            assert_envelope(response, 409, code=8007)

    # And a later retry replays the creation with this request's trace id
    retry = await client.post(
        "/v1/books", json=payload, headers=headers | {"X-Request-ID": "the-retry"}
    )
    assert assert_envelope(retry, 201) == book
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json()["trace_id"] == retry.headers["x-request-id"] == "the-retry"
    assert retry.headers["location"] == f"/v1/books/{book['id']}"
    assert retry.headers["etag"] == '"1"'


async def test_the_same_key_with_another_body_is_422(client: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "create-book-2"}
    assert_envelope(await client.post("/v1/books", json=book_payload(), headers=headers), 201)
    other = await client.post("/v1/books", json=book_payload(), headers=headers)
    assert_envelope(other, 422, code=8008)


async def test_an_isbn_conflict_is_replayed_not_retried(client: httpx.AsyncClient) -> None:
    taken = book_payload()
    assert_envelope(await client.post("/v1/books", json=taken), 201)
    duplicate = book_payload(isbn=taken["isbn"])
    headers = {"Idempotency-Key": "create-book-3"}
    assert_envelope(await client.post("/v1/books", json=duplicate, headers=headers), 409, code=1002)
    replay = await client.post("/v1/books", json=duplicate, headers=headers)
    assert_envelope(replay, 409, code=1002)
    assert replay.headers["idempotent-replayed"] == "true"


async def test_an_oversized_chunked_body_with_a_key_is_413(app_factory: AppFactory) -> None:
    app = app_factory(max_request_body_bytes=64)

    async def chunks() -> Any:
        for _ in range(4):
            yield b"x" * 32

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post(
            "/v1/books", content=chunks(), headers={"Idempotency-Key": "big"}
        )
    assert_envelope(response, 413, code=8004)
