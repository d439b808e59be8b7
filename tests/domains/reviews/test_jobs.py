"""The `purge-deleted-books` job through the Lambda handler (the scheduler's event): books
soft-deleted long enough ago go for good with their reviews, across both stores."""

from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

import pytest
from sqlalchemy import select, update

from app.core.settings import Settings
from app.db.mongo.base import Document
from app.db.postgresql.connection import transaction
from app.domains.books.models import Book
from app.domains.books.schema import BookCreate
from app.domains.books.services import BookService
from app.domains.reviews.schema import ReviewCreate
from app.domains.reviews.services import ReviewService
from tests.background.conftest import json_lines
from tests.conftest import HandlerFactory, SettingsFactory
from tests.domains.books.factories import book_payload
from tests.domains.reviews.factories import review_payload
from tests.support.emf import validate_emf
from tests.support.lambda_events import load_event
from tests.support.lambda_transport import invoke

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

pytestmark = pytest.mark.mongo

PURGE = load_event("scheduler_purge_deleted_books")


async def a_book_with_reviews(
    settings: Settings, reviews: int, deleted_ago: timedelta | None
) -> UUID:
    """A book with `reviews` reviews; soft-deleted `deleted_ago` ago, unless None."""
    book = await BookService(settings).create(BookCreate.model_validate(book_payload()))
    for _ in range(reviews):
        await ReviewService(settings).create(book.id, ReviewCreate.model_validate(review_payload()))
    if deleted_ago is not None:
        await BookService(settings).delete(book.id, None)
        async with transaction(settings) as session:
            backdated = Book.deleted_at - deleted_ago
            await session.execute(
                update(Book).where(Book.id == book.id).values(deleted_at=backdated)
            )
    return book.id


async def stored(
    settings: Settings, book_id: UUID, reviews: "AsyncCollection[Document]"
) -> tuple[bool, int]:
    """Whether the book's row is still there (soft-deleted or not), and its reviews' count."""
    async with transaction(settings) as session:
        row = await session.scalar(select(Book.id).where(Book.id == book_id))
    return row is not None, await reviews.count_documents({"book_id": book_id})


async def test_only_books_deleted_long_enough_ago_go_with_their_reviews(
    settings_factory: SettingsFactory,
    handler_factory: HandlerFactory,
    reviews_collection: "AsyncCollection[Document]",
) -> None:
    settings = settings_factory(books_purge_after_days=30)
    old = await a_book_with_reviews(settings, 2, deleted_ago=timedelta(days=31))
    recent = await a_book_with_reviews(settings, 1, deleted_ago=timedelta(days=29))
    active = await a_book_with_reviews(settings, 1, deleted_ago=None)

    answer = invoke(handler_factory(books_purge_after_days=30), PURGE)

    assert answer == {"ok": True, "job": "purge-deleted-books", "purged": answer["purged"]}
    assert answer["purged"] >= 1
    assert await stored(settings, old, reviews_collection) == (False, 0)
    assert await stored(settings, recent, reviews_collection) == (True, 1)
    assert await stored(settings, active, reviews_collection) == (True, 1)


async def test_zero_days_purges_every_soft_deleted_book(
    settings_factory: SettingsFactory,
    handler_factory: HandlerFactory,
    reviews_collection: "AsyncCollection[Document]",
) -> None:
    settings = settings_factory()
    just_deleted = await a_book_with_reviews(settings, 1, deleted_ago=timedelta())

    answer = invoke(handler_factory(books_purge_after_days=0), PURGE)

    assert answer["ok"] is True
    assert answer["purged"] >= 1
    assert await stored(settings, just_deleted, reviews_collection) == (False, 0)
    assert invoke(handler_factory(books_purge_after_days=0), PURGE)["purged"] == 0


async def test_a_failing_job_raises_for_a_retry_and_keeps_the_books(
    settings_factory: SettingsFactory,
    handler_factory: HandlerFactory,
    dead_mongo_url: str,
    reviews_collection: "AsyncCollection[Document]",
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = settings_factory()
    old = await a_book_with_reviews(settings, 1, deleted_ago=timedelta(days=31))
    handler = handler_factory(mongo_url=dead_mongo_url, mongo_timeout_ms=500)

    with pytest.raises(Exception, match="no answer from mongo"):
        invoke(handler, PURGE)

    # Its reviews could not go, so the book stays for the next run, which purges it.
    assert await stored(settings, old, reviews_collection) == (True, 1)
    output = json_lines(capsys.readouterr().out)
    (line,) = [line for line in output if "invocation" in line]
    assert (line["invocation"], line["level"]) == ("job:purge-deleted-books", "ERROR")
    assert "Purged" not in line
    validate_emf(line)
    (failure,) = [line for line in output if line["message"].startswith("Job purge-deleted-books")]
    assert "Traceback" in failure["exception"]
    assert invoke(handler_factory(), PURGE)["purged"] >= 1
    assert await stored(settings, old, reviews_collection) == (False, 0)


def test_the_job_writes_one_line_with_its_counts(
    handler_factory: HandlerFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    invoke(handler_factory(books_purge_after_days=36500), PURGE)

    (line,) = [line for line in json_lines(capsys.readouterr().out) if "invocation" in line]
    assert (line["invocation"], line["level"]) == ("job:purge-deleted-books", "INFO")
    data = validate_emf(line)
    values = {datum.name: datum.values for datum in data}
    assert values["Purged"] == (0,)
    assert values["Duration"] == (line["duration_ms"],)
    assert (("Invocation", "job:purge-deleted-books")) in {
        pair for datum in data for pair in datum.dimensions
    }


@pytest.mark.parametrize("name", ["purge-everything", 42])
def test_an_unknown_job_answers_not_ok_without_raising(
    handler_factory: HandlerFactory, name: object
) -> None:
    answer = invoke(handler_factory(), {"job": name})

    assert answer["ok"] is False
    assert answer["job"] == name
    assert "registered: purge-deleted-books" in answer["error"]
