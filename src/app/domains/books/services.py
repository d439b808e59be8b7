"""Book use cases: validation outcomes become domain errors; each write is one transaction.

Reads run in autocommit, each write in one transaction committed before the response, so a
connection is held only while the database works. GET by id reads through the Redis cache,
which every write invalidates after its commit. Other domains (reviews) ask `ensure_exists`.
Imports go through the `books-import` queue (`consumers`); the purge job removes old
soft-deleted books.
"""

from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from app.background.producer import send_messages
from app.core import metrics
from app.core.settings import Settings
from app.db.postgresql.connection import read_session, transaction
from app.domains.books.errors import (
    BookAlreadyExistsError,
    BookNotFoundError,
    BookVersionMismatchError,
)
from app.domains.books.models import ISBN_UNIQUE_INDEX, Book
from app.domains.books.repositories import BookFilters, BookRepository
from app.domains.books.schema import BookCreate, BookListQuery, BookPatch, BookPublic, BookReplace
from app.http.etags import ExpectedVersions
from app.http.pagination import Page
from app.http.read_cache import VersionedReadCache

_CACHE = VersionedReadCache("book", BookPublic, version=lambda book: book.version)
# The queue of POST /v1/books/imports; its URL is BOOKS_IMPORT_QUEUE_URL.
IMPORT_QUEUE = "books-import"


def _violated_constraint(error: IntegrityError) -> str | None:
    # psycopg exposes the server's diagnostics on the wrapped driver error.
    name = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    return name if isinstance(name, str) else None


class BookService:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def list(self, query: BookListQuery) -> Page[BookPublic]:
        filters = BookFilters(
            author=query.author,
            type=query.type,
            year_from=query.year_from,
            year_to=query.year_to,
            title_contains=query.q,
            sort=query.sort,
        )
        async with self._reading() as books:
            found, total = await books.list_active(filters, limit=query.limit, offset=query.offset)
        items = [BookPublic.model_validate(book) for book in found]
        return Page(items=items, total=total, limit=query.limit, offset=query.offset)

    async def get_cached(self, book_id: UUID) -> tuple[BookPublic, bool]:
        """The book and whether the read cache had it (`X-Cache`)."""
        cached = await _CACHE.lookup(self._settings, str(book_id))
        if cached.value is not None:
            return cached.value, True
        async with self._reading() as books:
            book = await books.get_active(book_id)
        if book is None:
            raise BookNotFoundError()
        found = BookPublic.model_validate(book)
        await cached.fill(found)
        return found, False

    async def ensure_exists(self, book_id: UUID) -> None:
        """Raise BookNotFoundError (404/1001) unless an active book has this id."""
        async with self._reading() as books:
            if not await books.exists_active(book_id):
                raise BookNotFoundError()

    async def create(self, data: BookCreate) -> BookPublic:
        async with self._writing() as books:
            book = await books.add(data.model_dump())
        metrics.count("BooksCreated")
        return BookPublic.model_validate(book)

    async def queue_import(self, books: Sequence[BookCreate]) -> int:
        """One message per book on the import queue, all of them or 503/9006."""
        await send_messages(
            IMPORT_QUEUE,
            self._settings.books_import_queue_url,
            [book.model_dump_json() for book in books],
        )
        return len(books)

    async def create_once(self, book_id: UUID, data: BookCreate) -> bool:
        """Create the book under `book_id`, unless a book already has that id (the same
        import delivered again); whether it did. A taken ISBN is 409/1002, as for a create."""
        async with self._writing() as books:
            return await books.add_unless_taken(book_id, data.model_dump())

    async def deleted_before(self, age: timedelta, *, limit: int) -> Sequence[UUID]:
        """Ids of books soft-deleted at least `age` ago, oldest deletion first."""
        async with self._reading() as books:
            return await books.deleted_before(age, limit=limit)

    async def purge(self, book_ids: Collection[UUID]) -> int:
        """Delete these soft-deleted books for good (what depends on them goes first)."""
        async with self._writing() as books:
            return await books.purge(book_ids)

    async def replace(
        self, book_id: UUID, data: BookReplace, expected_versions: ExpectedVersions
    ) -> BookPublic:
        return await self._update(book_id, data.model_dump(), expected_versions)

    async def patch(
        self, book_id: UUID, data: BookPatch, expected_versions: ExpectedVersions
    ) -> BookPublic:
        return await self._update(book_id, data.changes(), expected_versions)

    async def delete(self, book_id: UUID, expected_versions: ExpectedVersions) -> None:
        async with self._writing() as books:
            book = await books.soft_delete(book_id, expected_versions)
            await _require_written(books, book_id, book)
        await _CACHE.invalidate(self._settings, str(book_id), version=None)

    async def _update(
        self, book_id: UUID, values: Mapping[str, object], expected_versions: ExpectedVersions
    ) -> BookPublic:
        async with self._writing() as books:
            book = await books.update_active(book_id, values, expected_versions)
            await _require_written(books, book_id, book)
        updated = BookPublic.model_validate(book)
        await _CACHE.invalidate(self._settings, str(book_id), updated.version)
        return updated

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[BookRepository]:
        async with read_session(self._settings) as session:
            yield BookRepository(session)

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[BookRepository]:
        """One transaction, committed when the block succeeds; a duplicate ISBN is 409/1002."""
        try:
            async with transaction(self._settings) as session:
                yield BookRepository(session)
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
