"""BookRepository against the real server: active rows only, the guarded UPDATE, list queries."""

from datetime import timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from app.domains.books.models import Book
from app.domains.books.repositories import BookFilters, BookRepository
from app.domains.books.schema import BookCreate, BookType
from tests.domains.books.factories import an_author, book_payload


async def add(repository: BookRepository, **fields: Any) -> Book:
    return await repository.add(BookCreate.model_validate(book_payload(**fields)).model_dump())


async def test_add_fills_defaults_and_get_active_finds_it(db_session: AsyncSession) -> None:
    repository = BookRepository(db_session)

    book = await add(repository, type="online")

    assert (book.version, book.deleted_at, book.type) == (1, None, BookType.ONLINE)
    assert book.created_at.utcoffset() == timedelta(0)  # aware, and UTC
    assert await repository.get_active(book.id) is book
    assert await repository.exists_active(book.id)
    assert await repository.get_active(uuid4()) is None


async def test_update_is_guarded_by_the_expected_version(db_session: AsyncSession) -> None:
    repository = BookRepository(db_session)
    book = await add(repository, year=1990)

    assert await repository.update_active(book.id, {"year": 1991}, frozenset({7})) is None
    updated = await repository.update_active(book.id, {"year": 1991}, frozenset({1}))
    unguarded = await repository.update_active(book.id, {"year": 1992}, None)

    assert updated is not None
    assert unguarded is not None
    assert (unguarded.year, unguarded.version) == (1992, 3)


async def test_soft_delete_hides_the_row_and_bumps_the_version(db_session: AsyncSession) -> None:
    repository = BookRepository(db_session)
    book = await add(repository)

    deleted = await repository.soft_delete(book.id, frozenset({1}))

    assert deleted is not None
    assert deleted.deleted_at is not None
    assert deleted.version == 2
    assert await repository.get_active(book.id) is None
    assert not await repository.exists_active(book.id)
    assert await repository.soft_delete(book.id, None) is None


async def test_list_ties_are_broken_by_id(db_session: AsyncSession) -> None:
    # Given books in one transaction: they share created_at (now() is the transaction's start)
    repository = BookRepository(db_session)
    author = an_author()
    books = [await add(repository, author=author, title="Same", year=2000) for _ in range(4)]
    by_id = sorted(book.id for book in books)

    for sort, expected in [
        ("created_at", by_id),
        ("-created_at", by_id[::-1]),
        ("title", by_id),
        ("-year", by_id[::-1]),
    ]:
        filters = BookFilters(author=author, sort=sort)
        page, total = await repository.list_active(filters, limit=10, offset=0)
        assert [book.id for book in page] == expected, sort
        assert total == 4


async def test_add_missing_skips_rows_whose_id_or_isbn_is_taken(db_session: AsyncSession) -> None:
    repository = BookRepository(db_session)
    held = await add(repository)

    def row(**fields: Any) -> dict[str, Any]:
        return {"id": uuid4(), **BookCreate.model_validate(book_payload(**fields)).model_dump()}

    new = row()
    added = await repository.add_missing([{**row(), "id": held.id}, row(isbn=held.isbn), new])

    assert added == 1
    assert await repository.exists_active(new["id"])
    assert (await repository.get_active(held.id)) is held
