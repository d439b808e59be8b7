"""A few books for a fresh local database (`make run`, `make seed`); never in tests or prod.

Fixed ids make seeding idempotent: a book already there (even soft-deleted) is left alone.
"""

from uuid import UUID

from app.core.settings import Settings
from app.db.postgresql.connection import transaction
from app.domains.books.repositories import BookRepository
from app.domains.books.schema import BookCreate, BookType

SAMPLE_BOOKS: dict[UUID, BookCreate] = {
    UUID("5a3c0c6e-4a5e-4d9b-9a38-6f3f0a3e1b01"): BookCreate(
        title="Dune",
        author="Frank Herbert",
        year=1965,
        type=BookType.PHYSICAL,
        isbn="9780441172719",
    ),
    UUID("5a3c0c6e-4a5e-4d9b-9a38-6f3f0a3e1b02"): BookCreate(
        title="The Left Hand of Darkness",
        author="Ursula K. Le Guin",
        year=1969,
        type=BookType.BOTH,
        isbn="9780441478125",
    ),
    UUID("5a3c0c6e-4a5e-4d9b-9a38-6f3f0a3e1b03"): BookCreate(
        title="Structure and Interpretation of Computer Programs",
        author="Harold Abelson",
        year=1985,
        type=BookType.ONLINE,
    ),
}


async def seed(settings: Settings) -> int:
    """Add the sample books that are missing; returns how many were added."""
    rows = [{"id": book_id, **book.model_dump()} for book_id, book in SAMPLE_BOOKS.items()]
    async with transaction(settings) as session:
        return await BookRepository(session).add_missing(rows)
