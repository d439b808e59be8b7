"""Invalid and hostile input on the book review routes: always a 422, never a query."""

from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx
import pytest

from tests.domains.reviews.factories import review_payload
from tests.domains.reviews.test_book_reviews import add_review, create_book
from tests.support.envelope import assert_envelope

pytestmark = pytest.mark.mongo


@pytest.fixture
async def reviewed_book(client: httpx.AsyncClient) -> UUID:
    book_id = await create_book(client)
    await add_review(client, book_id, reviewer="ann")
    await add_review(client, book_id, reviewer="bob")
    return book_id


async def reviews_of(client: httpx.AsyncClient, book_id: UUID) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = assert_envelope(
        await client.get(f"/v1/books/{book_id}/reviews"), 200
    )["items"]
    return items


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"rating": 6}, "body.rating"),
        ({"rating": 0}, "body.rating"),
        ({"rating": 4.5}, "body.rating"),
        ({"rating": "5"}, "body.rating"),
        ({"rating": True}, "body.rating"),
        ({"reviewer": {"$gt": ""}}, "body.reviewer"),
        ({"body": {"$ne": None}}, "body.body"),
        ({"title": "t" * 201}, "body.title"),
        ({"body": ""}, "body.body"),
        ({"body": "b" * 5001}, "body.body"),
        ({"reviewer": " "}, "body.reviewer"),
        ({"reviewer": " \t\n "}, "body.reviewer"),
        ({"reviewer": "r" * 99 + "  "}, "body.reviewer"),  # the limit counts what is sent
        ({"reviewer": "r" * 101}, "body.reviewer"),
        ({"$where": "sleep(1000)"}, "body.$where"),
        ({"book_id": "x"}, "body.book_id"),
    ],
)
async def test_an_invalid_review_is_422_naming_the_field(
    client: httpx.AsyncClient, reviewed_book: UUID, fields: dict[str, Any], field: str
) -> None:
    before = await reviews_of(client, reviewed_book)

    response = await client.post(
        f"/v1/books/{reviewed_book}/reviews", json=review_payload(**fields)
    )

    details = assert_envelope(response, 422, code=8001)
    assert field in [error["field"] for error in details["errors"]]
    assert await reviews_of(client, reviewed_book) == before


async def test_a_json_integer_rating_and_padded_text_are_accepted(
    client: httpx.AsyncClient, reviewed_book: UUID
) -> None:
    # 4.0 is an integer to JSON Schema; surrounding spaces are stripped from what is stored.
    body = {"rating": 4.0, "body": "  Fine read.  ", "reviewer": " ann "}
    created = assert_envelope(
        await client.post(f"/v1/books/{reviewed_book}/reviews", json=body), 201
    )
    assert (created["rating"], created["body"], created["reviewer"]) == (4, "Fine read.", "ann")


@pytest.mark.parametrize(
    "query",
    ["reviewer[$ne]=x", "reviewer[$gt]=", "$where=1", "reviewer=ann&reviewer[$ne]=ann"],
)
async def test_operator_query_parameters_are_rejected(
    client: httpx.AsyncClient, reviewed_book: UUID, query: str
) -> None:
    response = await client.get(f"/v1/books/{reviewed_book}/reviews?{query}")

    assert_envelope(response, 422, code=8001)


@pytest.mark.parametrize("reviewer", ['{"$ne": "x"}', "$ne", "[$ne]"])
async def test_an_operator_like_reviewer_is_a_literal(
    client: httpx.AsyncClient, reviewed_book: UUID, reviewer: str
) -> None:
    response = await client.get(f"/v1/books/{reviewed_book}/reviews", params={"reviewer": reviewer})

    listed = assert_envelope(response, 200)
    assert (listed["items"], listed["total"]) == ([], 0)


@pytest.mark.parametrize("book_id", ["not-a-uuid", '{"$ne": null}'])
async def test_a_malformed_book_id_is_422(client: httpx.AsyncClient, book_id: str) -> None:
    response = await client.get(f"/v1/books/{quote(book_id, safe='')}/reviews")

    assert_envelope(response, 422, code=8001)


@pytest.mark.parametrize(
    ("name", "value"), [("limit", 0), ("limit", 101), ("offset", -1), ("offset", 2**63)]
)
async def test_out_of_range_paging_is_422(
    client: httpx.AsyncClient, reviewed_book: UUID, name: str, value: int
) -> None:
    # 2**63 is past MongoDB's 64-bit skip: it must be refused, not reach the driver.
    response = await client.get(f"/v1/books/{reviewed_book}/reviews", params={name: value})

    details = assert_envelope(response, 422, code=8001)
    assert [error["field"] for error in details["errors"]] == [f"query.{name}"]
