"""A few reviews of the sample books (`make run`, `make seed`); never in tests or prod.

Fixed ids make seeding idempotent; reviews of a sample book that is gone are left out.
"""

from uuid import UUID

from app.core.settings import Settings
from app.db.mongo.connection import writing
from app.domains.books.errors import BookNotFoundError
from app.domains.books.sample_data import SAMPLE_BOOKS
from app.domains.books.services import BookService
from app.domains.reviews.models import ReviewDocument
from app.domains.reviews.repositories import ReviewRepository

_DUNE, _LEFT_HAND, _SICP = SAMPLE_BOOKS

SAMPLE_REVIEWS = (
    ReviewDocument(
        id=UUID("7c1e6a52-0b8e-4f53-8f0a-2d6c9b4e2a01"),
        book_id=_DUNE,
        rating=5,
        title="Still the best",
        body="Politics, ecology and religion in one desert.",
        reviewer="ann",
    ),
    ReviewDocument(
        id=UUID("7c1e6a52-0b8e-4f53-8f0a-2d6c9b4e2a02"),
        book_id=_DUNE,
        rating=4,
        body="Slow start, then impossible to put down.",
        reviewer="bo",
    ),
    ReviewDocument(
        id=UUID("7c1e6a52-0b8e-4f53-8f0a-2d6c9b4e2a03"),
        book_id=_LEFT_HAND,
        rating=5,
        title="Quietly radical",
        body="A world without fixed gender, told as a travelogue.",
        reviewer="ann",
    ),
    ReviewDocument(
        id=UUID("7c1e6a52-0b8e-4f53-8f0a-2d6c9b4e2a04"),
        book_id=_SICP,
        rating=3,
        body="Rewarding, if you do the exercises.",
        reviewer="cy",
    ),
)


async def seed(settings: Settings) -> int:
    """Add the sample reviews that are missing; returns how many were added."""
    books = BookService(settings)
    present: list[ReviewDocument] = []
    for review in SAMPLE_REVIEWS:
        try:
            await books.ensure_exists(review.book_id)
        except BookNotFoundError:
            continue
        present.append(review)
    async with writing(settings, ReviewDocument) as collection:
        return await ReviewRepository(collection).add_missing(present)
