"""GET / PATCH / DELETE /v1/reviews/{review_id}: found, missing, malformed and hostile input."""

from datetime import datetime
from typing import Any
from urllib.parse import quote
from uuid import uuid4

import httpx
import pytest
from pymongo.asynchronous.collection import AsyncCollection

from app.db.mongo.base import Document
from app.domains.reviews.models import ReviewDocument
from app.domains.reviews.repositories import ReviewRepository
from tests.domains.reviews.factories import a_review
from tests.support.envelope import assert_envelope

pytestmark = pytest.mark.mongo


@pytest.fixture
async def stored_review(reviews_collection: AsyncCollection[Document]) -> ReviewDocument:
    review = a_review(rating=3, title="Fine", reviewer="ann")
    await ReviewRepository(reviews_collection).add(review)
    return review


async def test_get_returns_the_review(
    client: httpx.AsyncClient, stored_review: ReviewDocument
) -> None:
    response = await client.get(f"/v1/reviews/{stored_review.id}")

    data = assert_envelope(response, 200)
    assert data == stored_review.model_dump(mode="json")


async def test_patch_changes_only_the_sent_fields(
    client: httpx.AsyncClient, stored_review: ReviewDocument
) -> None:
    response = await client.patch(f"/v1/reviews/{stored_review.id}", json={"rating": 5})

    data = assert_envelope(response, 200)
    assert (data["rating"], data["title"], data["body"]) == (5, "Fine", stored_review.body)
    # Compared as instants: a whole second is serialised without a fraction ("...:26Z").
    assert datetime.fromisoformat(data["updated_at"]) >= datetime.fromisoformat(data["created_at"])
    fetched = assert_envelope(await client.get(f"/v1/reviews/{stored_review.id}"), 200)
    assert fetched == data


async def test_patch_clears_the_title_with_null(
    client: httpx.AsyncClient, stored_review: ReviewDocument
) -> None:
    response = await client.patch(f"/v1/reviews/{stored_review.id}", json={"title": None})

    data = assert_envelope(response, 200)
    assert (data["title"], data["rating"]) == (None, 3)


async def test_delete_removes_the_review(
    client: httpx.AsyncClient, stored_review: ReviewDocument
) -> None:
    response = await client.delete(f"/v1/reviews/{stored_review.id}")

    assert response.status_code == 204
    assert response.content == b""
    assert_envelope(await client.get(f"/v1/reviews/{stored_review.id}"), 404, code=2001)


@pytest.mark.parametrize(
    ("method", "body"), [("GET", None), ("PATCH", {"rating": 2}), ("DELETE", None)]
)
async def test_a_missing_review_is_404_2001(
    client: httpx.AsyncClient, method: str, body: dict[str, Any] | None
) -> None:
    response = await client.request(method, f"/v1/reviews/{uuid4()}", json=body)

    assert_envelope(response, 404, code=2001)


@pytest.mark.parametrize("review_id", ["not-a-uuid", '{"$ne": null}', "$where", "1"])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_a_malformed_or_hostile_id_is_422_not_a_query(
    client: httpx.AsyncClient, stored_review: ReviewDocument, method: str, review_id: str
) -> None:
    response = await client.request(
        method, f"/v1/reviews/{quote(review_id, safe='')}", json={"rating": 1}
    )

    details = assert_envelope(response, 422, code=8001)
    assert [error["field"] for error in details["errors"]] == ["path.review_id"]
    assert_envelope(await client.get(f"/v1/reviews/{stored_review.id}"), 200)


@pytest.mark.parametrize(
    "body",
    [
        {"reviewer": {"$gt": ""}},
        {"body": {"$set": {"rating": 1}}},
        {"rating": {"$inc": 1}},
        {"rating": "5"},
        {"rating": 6},
        {"rating": None},
        {"body": None},
        {},
        {"$set": {"rating": 1}},
        {"book_id": str(uuid4())},
    ],
)
async def test_a_hostile_or_invalid_patch_is_422_and_changes_nothing(
    client: httpx.AsyncClient, stored_review: ReviewDocument, body: dict[str, Any]
) -> None:
    response = await client.patch(f"/v1/reviews/{stored_review.id}", json=body)

    details = assert_envelope(response, 422, code=8001)
    assert details["errors"]
    fetched = assert_envelope(await client.get(f"/v1/reviews/{stored_review.id}"), 200)
    assert fetched == stored_review.model_dump(mode="json")
