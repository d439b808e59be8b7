"""ReviewService: book existence comes from the books service; missing reviews are 2001."""

import secrets
from uuid import uuid4

import pytest
from pymongo import monitoring
from pymongo.asynchronous.collection import AsyncCollection

from app.db.mongo.base import Document
from app.domains.books.errors import BookNotFoundError
from app.domains.books.schema import BookCreate
from app.domains.books.services import BookService
from app.domains.reviews.errors import ReviewNotFoundError
from app.domains.reviews.schema import ReviewCreate, ReviewListQuery, ReviewPatch
from app.domains.reviews.services import ReviewService
from tests.conftest import SettingsFactory
from tests.domains.books.factories import book_payload
from tests.domains.reviews.factories import review_payload

pytestmark = pytest.mark.mongo


@pytest.fixture
def service(settings_factory: SettingsFactory) -> ReviewService:
    return ReviewService(settings_factory())


async def test_a_review_of_an_existing_book_is_stored(
    service: ReviewService, settings_factory: SettingsFactory
) -> None:
    books = BookService(settings_factory())
    book_id = (await books.create(BookCreate.model_validate(book_payload()))).id

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


class WriteConcerns(monitoring.CommandListener):
    """Records the write concern of every write command sent while active."""

    def __init__(self) -> None:
        self.active = True
        self.writes: list[tuple[str, dict[str, object]]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.active and event.command_name in ("insert", "update", "findAndModify", "delete"):
            self.writes.append((event.command_name, event.command.get("writeConcern", {})))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        return None

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        return None


async def test_every_write_is_acknowledged_only_once_durable(
    settings_factory: SettingsFactory,
) -> None:
    # Given a client created after a command listener was registered (its own service name)
    listener = WriteConcerns()
    monitoring.register(listener)
    settings = settings_factory(service_name=f"durable-{secrets.token_hex(4)}")
    books, service = BookService(settings), ReviewService(settings)
    try:
        book = await books.create(BookCreate.model_validate(book_payload()))
        # When a review is created, changed and deleted
        review = await service.create(book.id, ReviewCreate(**review_payload()))
        await service.update(review.id, ReviewPatch(rating=1))
        await service.delete(review.id)
    finally:
        listener.active = False

    # Then each write asked for a journaled majority
    assert [name for name, _ in listener.writes] == ["insert", "findAndModify", "delete"]
    assert [dict(concern) for _, concern in listener.writes] == [{"w": "majority", "j": True}] * 3
