"""BookService rules over the real database, and the entry point other domains use."""

from uuid import uuid4

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.domains.books.errors import (
    BookAlreadyExistsError,
    BookNotFoundError,
    BookVersionMismatchError,
)
from app.domains.books.repositories import BookRepository
from app.domains.books.schema import BookCreate, BookPatch
from app.domains.books.services import BookService
from tests.conftest import SettingsFactory
from tests.domains.books.factories import book_payload


def a_book() -> BookCreate:
    return BookCreate.model_validate(book_payload())


@pytest.fixture
def service(settings_factory: SettingsFactory) -> BookService:
    return BookService(settings_factory())


async def test_service_returns_dtos_and_commits(
    service: BookService, db_session: AsyncSession
) -> None:

    created = await service.create(a_book())
    patched = await service.patch(created.id, BookPatch(title="New"), frozenset({1}))

    assert (patched.title, patched.version) == ("New", 2)
    # Another session sees both writes: each was committed.
    stored = await BookRepository(db_session).get_active(created.id)
    assert stored is not None
    assert (stored.title, stored.version) == ("New", 2)


async def test_stale_and_missing_books_are_told_apart(service: BookService) -> None:
    book = await service.create(a_book())

    with pytest.raises(BookVersionMismatchError):
        await service.patch(book.id, BookPatch(year=2001), frozenset({2}))
    with pytest.raises(BookNotFoundError):
        await service.patch(uuid4(), BookPatch(year=2001), None)
    await service.delete(book.id, None)
    with pytest.raises(BookNotFoundError):
        await service.get_cached(book.id)


async def test_duplicate_isbn_is_a_domain_error_and_the_service_keeps_working(
    service: BookService,
) -> None:
    holder = await service.create(a_book())

    with pytest.raises(BookAlreadyExistsError):
        await service.create(BookCreate.model_validate(book_payload(isbn=holder.isbn)))

    assert (await service.get_cached(holder.id))[0].id == holder.id


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # the bypass is the point
async def test_other_integrity_errors_are_not_reported_as_duplicates(
    service: BookService,
) -> None:
    # Given a create that slipped past validation and breaks the type CHECK constraint
    unchecked = BookCreate.model_construct(**{**a_book().model_dump(), "type": "audio"})

    with pytest.raises(IntegrityError):
        await service.create(unchecked)


async def test_ensure_exists_for_other_domains(service: BookService) -> None:
    book = await service.create(a_book())

    await service.ensure_exists(book.id)

    await service.delete(book.id, None)
    with pytest.raises(BookNotFoundError):
        await service.ensure_exists(book.id)
    with pytest.raises(BookNotFoundError):
        await service.ensure_exists(uuid4())
