"""POST /v1/books/{book_id}/reviews with Idempotency-Key: a retried review is added once."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import AppFactory
from tests.domains.books.factories import create_book
from tests.domains.reviews.factories import review_payload
from tests.support.envelope import assert_envelope

pytestmark = pytest.mark.mongo


@pytest.fixture
def app(app_factory: AppFactory, redis_overrides: dict[str, Any]) -> FastAPI:
    return app_factory(**redis_overrides)


async def test_a_retried_review_is_added_once(client: httpx.AsyncClient) -> None:
    book = await create_book(client)
    path = f"/v1/books/{book['id']}/reviews"
    payload, headers = review_payload(), {"Idempotency-Key": "review-1"}

    first = await client.post(path, json=payload, headers=headers)
    retry = await client.post(path, json=payload, headers=headers)

    assert assert_envelope(retry, 201) == assert_envelope(first, 201)
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.headers["location"] == first.headers["location"]
    assert assert_envelope(await client.get(path), 200)["total"] == 1


async def test_the_same_key_for_another_book_is_422(client: httpx.AsyncClient) -> None:
    first_book, second_book = await create_book(client), await create_book(client)
    payload, headers = review_payload(), {"Idempotency-Key": "review-2"}
    created = await client.post(
        f"/v1/books/{first_book['id']}/reviews", json=payload, headers=headers
    )
    other = await client.post(
        f"/v1/books/{second_book['id']}/reviews", json=payload, headers=headers
    )
    assert_envelope(created, 201)
    assert_envelope(other, 422, code=8008)
