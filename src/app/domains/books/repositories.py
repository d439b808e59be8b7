"""Book persistence: every query on `public.books`. "Active" means not soft-deleted."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from app.domains.books.models import Book

_ACTIVE = Book.deleted_at.is_(None)
_SORT_COLUMNS = {"title": Book.title, "year": Book.year, "created_at": Book.created_at}
# Built once: building a select and deriving its cache key cost more than running it does.
_BY_ID = Book.id == bindparam("book_id")
_GET_ACTIVE = select(Book).where(_BY_ID, _ACTIVE)
_EXISTS_ACTIVE = select(exists().where(_BY_ID, _ACTIVE))


@dataclass(frozen=True, slots=True)
class BookFilters:
    """What a list matches; None leaves a filter out. `sort` is a column, "-" for descending."""

    author: str | None = None
    type: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    title_contains: str | None = None
    sort: str = "-created_at"

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [_ACTIVE]
        if self.author is not None:
            conditions.append(func.lower(Book.author) == func.lower(self.author))
        if self.type is not None:
            conditions.append(Book.type == self.type)
        if self.year_from is not None:
            conditions.append(Book.year >= self.year_from)
        if self.year_to is not None:
            conditions.append(Book.year <= self.year_to)
        if self.title_contains is not None:
            # autoescape: % and _ typed by the user are literal characters, not wildcards.
            conditions.append(Book.title.icontains(self.title_contains, autoescape=True))
        return conditions

    def ordered(self, statement: Select[Book]) -> Select[Book]:
        column = _SORT_COLUMNS[self.sort.removeprefix("-")]
        if self.sort.startswith("-"):
            return statement.order_by(column.desc(), Book.id.desc())
        return statement.order_by(column.asc(), Book.id.asc())


class BookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_active(self, book_id: UUID) -> Book | None:
        return await self._session.scalar(_GET_ACTIVE, {"book_id": book_id})

    async def exists_active(self, book_id: UUID) -> bool:
        return bool(await self._session.scalar(_EXISTS_ACTIVE, {"book_id": book_id}))

    async def list_active(
        self, filters: BookFilters, *, limit: int, offset: int
    ) -> tuple[list[Book], int]:
        """One page of matching books and the number of all matching books."""
        conditions = filters.conditions()
        total = await self._session.scalar(select(func.count()).where(*conditions))
        page = filters.ordered(select(Book).where(*conditions)).limit(limit).offset(offset)
        books = await self._session.scalars(page)
        return list(books), total or 0

    async def add(self, values: Mapping[str, object]) -> Book:
        inserted = await self._session.scalars(insert(Book).values(**values).returning(Book))
        return inserted.one()

    async def add_missing(self, rows: Sequence[Mapping[str, object]]) -> int:
        """Insert the rows whose id (or ISBN) is not taken yet; returns how many were."""
        statement = postgresql.insert(Book).values(list(rows)).on_conflict_do_nothing()
        inserted = await self._session.scalars(statement.returning(Book.id))
        return len(inserted.all())

    async def add_unless_taken(self, book_id: UUID, values: Mapping[str, object]) -> bool:
        """Insert the book under `book_id`, unless a book (even soft-deleted) has that id;
        whether it did. A taken ISBN still raises."""
        statement = (
            postgresql.insert(Book)
            .values(id=book_id, **values)
            .on_conflict_do_nothing(index_elements=[Book.id])
            .returning(Book.id)
        )
        return await self._session.scalar(statement) is not None

    async def deleted_before(self, age: timedelta, *, limit: int) -> list[UUID]:
        """Ids of books soft-deleted at least `age` ago (by the database's clock)."""
        statement = (
            select(Book.id)
            .where(Book.deleted_at <= func.now() - age)
            .order_by(Book.deleted_at)
            .limit(limit)
        )
        return list(await self._session.scalars(statement))

    async def purge(self, book_ids: Collection[UUID]) -> int:
        """Delete these books for good, if they are soft-deleted; returns how many were."""
        statement = delete(Book).where(Book.id.in_(book_ids), Book.deleted_at.is_not(None))
        purged = await self._session.scalars(statement.returning(Book.id))
        return len(purged.all())

    async def update_active(
        self, book_id: UUID, values: Mapping[str, object], expected_versions: Collection[int] | None
    ) -> Book | None:
        """Apply `values` and bump the version, only if the book is active and (when
        `expected_versions` is given) still at one of those versions; else None.

        The check is part of the UPDATE, so concurrent writers serialise on the row lock
        and a stale writer matches no row instead of overwriting.
        """
        statement = (
            update(Book)
            .where(Book.id == book_id, _ACTIVE)
            .values(**values, version=Book.version + 1, updated_at=func.now())
            .returning(Book)
            .execution_options(populate_existing=True)
        )
        if expected_versions is not None:
            statement = statement.where(Book.version.in_(expected_versions))
        return await self._session.scalar(statement)

    async def soft_delete(
        self, book_id: UUID, expected_versions: Collection[int] | None
    ) -> Book | None:
        return await self.update_active(book_id, {"deleted_at": func.now()}, expected_versions)
