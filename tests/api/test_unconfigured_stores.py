"""A deployment without one of the stores (its URL and secret unset): the routes that need it
answer that store's 503, the others work, and readiness checks only the configured stores."""

from tests.conftest import AppFactory
from tests.domains.books.factories import create_book
from tests.support.envelope import assert_envelope
from tests.support.http_shapes import ClientFor

REVIEW_ID = "5c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5"


async def test_without_mongodb_reviews_are_503_and_books_work(
    app_factory: AppFactory, client_for: ClientFor
) -> None:
    app = app_factory(mongo_url=None, mongo_url_secret_id=None)
    async with client_for(app) as client:
        book = await create_book(client)
        for response in (
            await client.get(f"/v1/reviews/{REVIEW_ID}"),
            await client.get(f"/v1/books/{book['id']}/reviews"),
        ):
            assert_envelope(response, 503, code=9002)
        assert assert_envelope(await client.get(f"/v1/books/{book['id']}"), 200) == book
        ready = assert_envelope(await client.get("/health/ready"), 200)
    assert {check["name"] for check in ready["checks"]} == {"postgresql", "redis"}


async def test_without_postgresql_books_are_503_and_health_works(
    app_factory: AppFactory, client_for: ClientFor
) -> None:
    app = app_factory(postgresql_url=None, postgresql_url_secret_id=None)
    async with client_for(app) as client:
        assert_envelope(await client.get("/v1/books"), 503, code=9001)
        assert_envelope(await client.get(f"/v1/reviews/{REVIEW_ID}"), 404, code=2001)
        assert_envelope(await client.get("/health"), 200)
        ready = assert_envelope(await client.get("/health/ready"), 200)
    assert {check["name"] for check in ready["checks"]} == {"mongodb", "redis"}
