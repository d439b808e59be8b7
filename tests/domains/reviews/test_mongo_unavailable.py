"""MongoDB down: review routes answer 503/9002 within MONGO_TIMEOUT_MS, books keep working."""

import asyncio
import time
from collections.abc import AsyncIterator
from uuid import uuid4

import httpx
import pytest

from tests.conftest import AppFactory
from tests.domains.reviews.factories import review_payload
from tests.domains.reviews.test_book_reviews import create_book
from tests.support.envelope import assert_envelope
from tests.support.http_shapes import ClientFor


@pytest.fixture
async def client_without_mongo(
    app_factory: AppFactory, dead_mongo_url: str, client_for: ClientFor
) -> AsyncIterator[httpx.AsyncClient]:
    app = app_factory(mongo_url=dead_mongo_url, mongo_timeout_ms=1000)
    async with client_for(app) as client:
        yield client


async def test_one_review_request_is_503_within_the_timeout(
    client_without_mongo: httpx.AsyncClient,
) -> None:
    book_id = await create_book(client_without_mongo)
    started = time.perf_counter()
    response = await client_without_mongo.get(f"/v1/books/{book_id}/reviews")
    assert time.perf_counter() - started < 3
    assert_envelope(response, 503, code=9002)


@pytest.mark.asgi_only
async def test_review_routes_are_503_fast_while_books_work(
    client_without_mongo: httpx.AsyncClient, dead_mongo_url: str
) -> None:
    client = client_without_mongo
    book_id = await create_book(client)
    review_id = uuid4()
    requests = [
        client.post(f"/v1/books/{book_id}/reviews", json=review_payload()),
        client.get(f"/v1/books/{book_id}/reviews"),
        client.get(f"/v1/books/{book_id}/reviews/summary"),
        client.get(f"/v1/reviews/{review_id}"),
        client.patch(f"/v1/reviews/{review_id}", json={"rating": 1}),
        client.delete(f"/v1/reviews/{review_id}"),
    ]
    started = time.perf_counter()

    responses = await asyncio.gather(*requests)

    assert time.perf_counter() - started < 3
    port = dead_mongo_url.rsplit(":", 1)[1].split("/")[0]
    for response in responses:
        assert_envelope(response, 503, code=9002)
        assert response.headers["retry-after"] == "1"
        assert port not in response.text
    assert_envelope(await client.get(f"/v1/books/{book_id}"), 200)


async def test_readiness_reports_mongodb_down(client_without_mongo: httpx.AsyncClient) -> None:
    response = await client_without_mongo.get("/health/ready")

    details = assert_envelope(response, 503, code=9004)
    checks = {check["name"]: check["ok"] for check in details["checks"]}
    assert checks["mongodb"] is False
    assert checks["postgresql"] is True
