"""ReviewService: book existence comes from the books service; missing reviews are 2001."""

from uuid import uuid4

import httpx
import pytest
from pymongo.asynchronous.collection import AsyncCollection

from app.api.v1.reviews.repositories import ReviewRepository
from app.api.v1.reviews.schema import ReviewCreate, ReviewListQuery, ReviewPatch
from app.api.v1.reviews.services import ReviewService
from app.core.exceptions import BookNotFoundError, ReviewNotFoundError
from app.db.mongo.base import Document
from tests.api.v1.reviews.factories import review_payload
from tests.api.v1.reviews.test_book_reviews import create_book
from tests.conftest import SettingsFactory

pytestmark = pytest.mark.mongo


@pytest.fixture
def service(
    reviews_collection: AsyncCollection[Document], settings_factory: SettingsFactory
) -> ReviewService:
    return ReviewService(ReviewRepository(reviews_collection), settings_factory())


async def test_a_review_of_an_existing_book_is_stored(
    service: ReviewService, client: httpx.AsyncClient
) -> None:
    book_id = await create_book(client)

    created = await service.create(book_id, ReviewCreate(**review_payload(reviewer="  ann ")))
    page = await service.list_for_book(book_id, ReviewListQuery())

    assert created.reviewer == "ann"
    assert (page.items, page.total) == ([created], 1)
    assert await service.get(created.id) == created


async def test_a_review_of_an_unknown_book_is_refused_and_not_stored(
    service: ReviewService, reviews_collection: AsyncCollection[Document]
) -> None:
    with pytest.raises(BookNotFoundError):
        await service.create(uuid4(), ReviewCreate(**review_payload()))
    with pytest.raises(BookNotFoundError):
        await service.summarize(uuid4())

    assert await reviews_collection.count_documents({}) == 0


async def test_missing_reviews_raise_review_not_found(service: ReviewService) -> None:
    with pytest.raises(ReviewNotFoundError):
        await service.get(uuid4())
    with pytest.raises(ReviewNotFoundError):
        await service.update(uuid4(), ReviewPatch(rating=2))
    with pytest.raises(ReviewNotFoundError):
        await service.delete(uuid4())
