"""Review use cases: book existence rules, not-found errors and DTO conversion.

Reviews belong to books in PostgreSQL, so every `/books/{book_id}/...` use case first asks
the books service (never its repository) whether the book exists and is not soft-deleted:
an unknown book answers 404/1001 instead of an empty list, so a mistyped id is not mistaken
for a book without reviews. `/reviews/{review_id}` does not consult books.
"""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from uuid import UUID

from app.core import metrics
from app.core.settings import Settings
from app.db.mongo.connection import reading, writing
from app.domains.books.services import BookService
from app.domains.reviews.errors import ReviewNotFoundError
from app.domains.reviews.models import ReviewDocument
from app.domains.reviews.repositories import ReviewRepository
from app.domains.reviews.schema import (
    ReviewCreate,
    ReviewListQuery,
    ReviewPatch,
    ReviewPublic,
    ReviewSummary,
)
from app.http.pagination import Page


def _public(review: ReviewDocument) -> ReviewPublic:
    return ReviewPublic.model_validate(review.model_dump())


class ReviewService:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._books = BookService(settings)

    async def create(self, book_id: UUID, data: ReviewCreate) -> ReviewPublic:
        await self._books.ensure_exists(book_id)
        review = ReviewDocument(book_id=book_id, **data.model_dump())
        async with self._writing() as reviews:
            await reviews.add(review)
        metrics.count("ReviewsPosted")
        metrics.value("ReviewRating", review.rating)
        return _public(review)

    async def list_for_book(self, book_id: UUID, query: ReviewListQuery) -> Page[ReviewPublic]:
        await self._books.ensure_exists(book_id)
        async with self._reading() as reviews:
            found, total = await reviews.list_for_book(
                book_id, reviewer=query.reviewer, limit=query.limit, offset=query.offset
            )
        items = [_public(review) for review in found]
        return Page(items=items, total=total, limit=query.limit, offset=query.offset)

    async def summarize(self, book_id: UUID) -> ReviewSummary:
        await self._books.ensure_exists(book_id)
        async with self._reading() as reviews:
            summary = await reviews.summarize(book_id)
        return ReviewSummary(
            count=summary.count,
            average_rating=summary.average,
            histogram={str(rating): count for rating, count in summary.by_rating.items()},
        )

    async def get(self, review_id: UUID) -> ReviewPublic:
        async with self._reading() as reviews:
            review = await reviews.get(review_id)
        if review is None:
            raise ReviewNotFoundError()
        return _public(review)

    async def update(self, review_id: UUID, data: ReviewPatch) -> ReviewPublic:
        async with self._writing() as reviews:
            review = await reviews.update(review_id, data.changes())
        if review is None:
            raise ReviewNotFoundError()
        return _public(review)

    async def delete(self, review_id: UUID) -> None:
        async with self._writing() as reviews:
            deleted = await reviews.delete(review_id)
        if not deleted:
            raise ReviewNotFoundError()

    async def delete_of_books(self, book_ids: Sequence[UUID]) -> int:
        """Delete the reviews of these books (being purged); returns how many there were."""
        async with self._writing() as reviews:
            return await reviews.delete_of_books(book_ids)

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[ReviewRepository]:
        async with reading(self._settings, ReviewDocument) as collection:
            yield ReviewRepository(collection)

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[ReviewRepository]:
        """Writes are acknowledged once durable: a 2xx survives the loss of the primary."""
        async with writing(self._settings, ReviewDocument) as collection:
            yield ReviewRepository(collection)
