"""Book persistence: every query on `public.books`. "Active" means not soft-deleted."""

from collections.abc import Mapping
from uuid import UUID

from sqlalchemy import ColumnElement, Select, bindparam, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.v1.books.schema import BookListQuery, BookSort
from app.db.postgresql.models import Book
from app.shared.etags import ExpectedVersions

_ACTIVE = Book.deleted_at.is_(None)
_SORT_COLUMNS = {"title": Book.title, "year": Book.year, "created_at": Book.created_at}
# Built once: building a select and deriving its cache key cost more than running it does.
_BY_ID = Book.id == bindparam("book_id")
_GET_ACTIVE = select(Book).where(_BY_ID, _ACTIVE)
_EXISTS_ACTIVE = select(exists().where(_BY_ID, _ACTIVE))


def _filters(query: BookListQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [_ACTIVE]
    if query.author is not None:
        conditions.append(func.lower(Book.author) == func.lower(query.author))
    if query.type is not None:
        conditions.append(Book.type == query.type)
    if query.year_from is not None:
        conditions.append(Book.year >= query.year_from)
    if query.year_to is not None:
        conditions.append(Book.year <= query.year_to)
    if query.q is not None:
        # autoescape: % and _ typed by the user are literal characters, not wildcards.
        conditions.append(Book.title.icontains(query.q, autoescape=True))
    return conditions


def _ordered(statement: Select[Book], sort: BookSort) -> Select[Book]:
    column = _SORT_COLUMNS[sort.removeprefix("-")]
    if sort.startswith("-"):
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
        self, query: BookListQuery, *, limit: int, offset: int
    ) -> tuple[list[Book], int]:
        """One page of matching books and the number of all matching books."""
        conditions = _filters(query)
        total = await self._session.scalar(select(func.count()).where(*conditions))
        page = _ordered(select(Book).where(*conditions), query.sort).limit(limit).offset(offset)
        books = await self._session.scalars(page)
        return list(books), total or 0

    async def add(self, values: Mapping[str, object]) -> Book:
        inserted = await self._session.scalars(insert(Book).values(**values).returning(Book))
        return inserted.one()

    async def update_active(
        self, book_id: UUID, values: Mapping[str, object], expected_versions: ExpectedVersions
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

    async def soft_delete(self, book_id: UUID, expected_versions: ExpectedVersions) -> Book | None:
        return await self.update_active(book_id, {"deleted_at": func.now()}, expected_versions)
