"""Book use cases: validation outcomes become domain errors; each write is one transaction.

The service opens its own sessions: reads in autocommit, each write in one transaction that
it commits, so a connection is held only while the database works.

`ensure_book_exists` is the entry point for other domains (reviews) that need to know
whether an active book exists without touching the books repository.
"""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from app.api.v1.books.repositories import BookRepository
from app.api.v1.books.schema import BookCreate, BookListQuery, BookPatch, BookPublic, BookReplace
from app.core.exceptions import BookAlreadyExistsError, BookNotFoundError, BookVersionMismatchError
from app.core.settings import Settings
from app.db.postgresql.connection import get_read_session_factory, get_session_factory
from app.db.postgresql.models import Book
from app.db.postgresql.models.public.book import ISBN_UNIQUE_INDEX
from app.db.redis.cache import VersionedReadCache
from app.shared.etags import ExpectedVersions
from app.shared.pagination import Page, PageParams

# GET /v1/books/{id} reads through this cache; every write invalidates after its commit.
_BOOK_CACHE = VersionedReadCache("book", BookPublic, version=lambda book: book.version)


def _violated_constraint(error: IntegrityError) -> str | None:
    # psycopg exposes the server's diagnostics on the wrapped driver error.
    name = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    return name if isinstance(name, str) else None


@asynccontextmanager
async def _reading(settings: Settings | None) -> AsyncIterator[BookRepository]:
    """The repository on a read session: autocommit, every statement commits on its own."""
    async with get_read_session_factory(settings)() as session:
        yield BookRepository(session)


async def ensure_book_exists(book_id: UUID, settings: Settings | None = None) -> None:
    """Raise BookNotFoundError (404/1001) unless an active book has this id."""
    async with _reading(settings) as books:
        if not await books.exists_active(book_id):
            raise BookNotFoundError()


class BookService:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def get(self, book_id: UUID) -> BookPublic:
        async with _reading(self._settings) as books:
            book = await books.get_active(book_id)
        if book is None:
            raise BookNotFoundError()
        return BookPublic.model_validate(book)

    async def get_cached(self, book_id: UUID) -> tuple[BookPublic, bool]:
        """The book and whether the read cache had it (`X-Cache`)."""
        return await _BOOK_CACHE.read(self._settings, str(book_id), lambda: self.get(book_id))

    async def list(self, query: BookListQuery, page: PageParams) -> Page[BookPublic]:
        async with _reading(self._settings) as books:
            found, total = await books.list_active(query, limit=page.limit, offset=page.offset)
        items = [BookPublic.model_validate(book) for book in found]
        return Page(items=items, total=total, limit=page.limit, offset=page.offset)

    async def create(self, data: BookCreate) -> BookPublic:
        async with self._transaction() as books:
            book = await books.add(data.model_dump())
        return BookPublic.model_validate(book)

    async def replace(
        self, book_id: UUID, data: BookReplace, expected_versions: ExpectedVersions
    ) -> BookPublic:
        return await self._update(book_id, data.model_dump(), expected_versions)

    async def patch(
        self, book_id: UUID, data: BookPatch, expected_versions: ExpectedVersions
    ) -> BookPublic:
        return await self._update(book_id, data.model_dump(exclude_unset=True), expected_versions)

    async def delete(self, book_id: UUID, expected_versions: ExpectedVersions) -> None:
        async with self._transaction() as books:
            book = await books.soft_delete(book_id, expected_versions)
            await _require_written(books, book_id, book)
        await _BOOK_CACHE.invalidate(self._settings, str(book_id), version=None)

    async def _update(
        self, book_id: UUID, values: Mapping[str, object], expected_versions: ExpectedVersions
    ) -> BookPublic:
        async with self._transaction() as books:
            book = await books.update_active(book_id, values, expected_versions)
            await _require_written(books, book_id, book)
        updated = BookPublic.model_validate(book)
        await _BOOK_CACHE.invalidate(self._settings, str(book_id), updated.version)
        return updated

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[BookRepository]:
        """One transaction, committed when the block succeeds (rolled back when it raises);
        a duplicate ISBN becomes 409/1002."""
        async with get_session_factory(self._settings)() as session:
            try:
                yield BookRepository(session)
                await session.commit()
            except IntegrityError as error:
                if _violated_constraint(error) == ISBN_UNIQUE_INDEX:
                    raise BookAlreadyExistsError() from None
                raise


async def _require_written(books: BookRepository, book_id: UUID, written: Book | None) -> None:
    """A guarded write that matched no row: tell a missing book from a stale version."""
    if written is not None:
        return
    if await books.exists_active(book_id):
        raise BookVersionMismatchError()
    raise BookNotFoundError()
