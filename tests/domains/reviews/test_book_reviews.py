"""Reviews under /v1/books/{book_id}: create, list and summary of a real book in PostgreSQL."""

import asyncio
import secrets
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from tests.domains.reviews.factories import review_payload
from tests.support.envelope import assert_envelope

pytestmark = pytest.mark.mongo


async def create_book(client: httpx.AsyncClient) -> UUID:
    book = {"title": f"Book {secrets.token_hex(4)}", "author": "Ann Author", "year": 2001}
    response = await client.post("/v1/books", json={**book, "type": "physical"})
    return UUID(assert_envelope(response, 201)["id"])


async def add_review(client: httpx.AsyncClient, book_id: UUID, **fields: Any) -> dict[str, Any]:
    response = await client.post(f"/v1/books/{book_id}/reviews", json=review_payload(**fields))
    review: dict[str, Any] = assert_envelope(response, 201)
    assert response.headers["location"] == f"/v1/reviews/{review['id']}"
    return review


@pytest.fixture
async def book_id(client: httpx.AsyncClient) -> UUID:
    return await create_book(client)


async def test_reviews_are_summarised_and_listed_newest_first(
    client: httpx.AsyncClient, book_id: UUID
) -> None:
    created = []
    for rating in (5, 4, 4):
        created.append(await add_review(client, book_id, rating=rating))
        await asyncio.sleep(0.002)  # distinct BSON (millisecond) timestamps

    summary = assert_envelope(await client.get(f"/v1/books/{book_id}/reviews/summary"), 200)
    listed = assert_envelope(await client.get(f"/v1/books/{book_id}/reviews"), 200)

    histogram = {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}
    assert summary == {"count": 3, "average_rating": 4.33, "histogram": histogram}
    assert (listed["total"], listed["limit"], listed["offset"]) == (3, 20, 0)
    assert listed["items"] == created[::-1]


async def test_a_created_review_is_readable_by_its_location(
    client: httpx.AsyncClient, book_id: UUID
) -> None:
    payload = review_payload(title=None)
    response = await client.post(f"/v1/books/{book_id}/reviews", json=payload)

    created = assert_envelope(response, 201)
    assert created["book_id"] == str(book_id)
    assert {key: created[key] for key in payload} == payload
    fetched = assert_envelope(await client.get(response.headers["location"]), 200)
    assert fetched == created


async def test_a_book_without_reviews_has_an_empty_summary_and_list(
    client: httpx.AsyncClient, book_id: UUID
) -> None:
    summary = assert_envelope(await client.get(f"/v1/books/{book_id}/reviews/summary"), 200)
    listed = assert_envelope(await client.get(f"/v1/books/{book_id}/reviews"), 200)

    assert summary == {"count": 0, "average_rating": None, "histogram": dict.fromkeys("12345", 0)}
    assert (listed["items"], listed["total"]) == ([], 0)


async def test_list_pages_and_filters_by_reviewer(client: httpx.AsyncClient, book_id: UUID) -> None:
    for reviewer in ("ann", "bob", "ann"):
        await add_review(client, book_id, reviewer=reviewer)

    page = assert_envelope(await client.get(f"/v1/books/{book_id}/reviews?limit=2&offset=2"), 200)
    by_ann = assert_envelope(await client.get(f"/v1/books/{book_id}/reviews?reviewer=ann"), 200)

    assert (len(page["items"]), page["total"], page["limit"], page["offset"]) == (1, 3, 2, 2)
    assert by_ann["total"] == 2
    assert {review["reviewer"] for review in by_ann["items"]} == {"ann"}


@pytest.mark.parametrize(
    "path", ["/reviews", "/reviews?limit=5", "/reviews/summary"], ids=["list", "page", "summary"]
)
async def test_an_unknown_or_deleted_book_is_404_1001(
    client: httpx.AsyncClient, book_id: UUID, path: str
) -> None:
    assert (await client.delete(f"/v1/books/{book_id}")).status_code == 204

    for missing in (book_id, uuid4()):
        assert_envelope(await client.get(f"/v1/books/{missing}{path}"), 404, code=1001)
        response = await client.post(f"/v1/books/{missing}/reviews", json=review_payload())
        assert_envelope(response, 404, code=1001)
