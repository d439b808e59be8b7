"""Review use cases: book existence rules, not-found errors and DTO conversion.

Reviews belong to books in PostgreSQL, so every `/books/{book_id}/...` use case first asks
the books module (its service, never its repository) whether the book exists and is not
soft-deleted: an unknown book answers 404/1001 instead of an empty list, so a mistyped id
is not mistaken for a book without reviews. `/reviews/{review_id}` does not consult books.
"""

from uuid import UUID

from app.api.v1.books.services import ensure_book_exists
from app.api.v1.reviews.repositories import ReviewRepository
from app.api.v1.reviews.schema import (
    ReviewCreate,
    ReviewListQuery,
    ReviewPatch,
    ReviewPublic,
    ReviewSummary,
)
from app.core.exceptions import ReviewNotFoundError
from app.core.settings import Settings
from app.db.mongo.connection import get_collection
from app.db.mongo.models.review import ReviewDocument
from app.shared.pagination import Page


def _public(review: ReviewDocument) -> ReviewPublic:
    return ReviewPublic.model_validate(review.model_dump())


class ReviewService:
    def __init__(self, repository: ReviewRepository, settings: Settings) -> None:
        self._repository = repository
        self._settings = settings

    @classmethod
    async def for_settings(cls, settings: Settings) -> "ReviewService":
        """The service on the shared MongoDB client's reviews collection."""
        return cls(ReviewRepository(await get_collection(settings, ReviewDocument)), settings)

    async def create(self, book_id: UUID, payload: ReviewCreate) -> ReviewPublic:
        await ensure_book_exists(book_id, self._settings)
        review = ReviewDocument(book_id=book_id, **payload.model_dump())
        await self._repository.add(review)
        return _public(review)

    async def list_for_book(self, book_id: UUID, query: ReviewListQuery) -> Page[ReviewPublic]:
        await ensure_book_exists(book_id, self._settings)
        reviews, total = await self._repository.list_for_book(
            book_id, query, reviewer=query.reviewer
        )
        items = [_public(review) for review in reviews]
        return Page(items=items, total=total, limit=query.limit, offset=query.offset)

    async def summarize(self, book_id: UUID) -> ReviewSummary:
        await ensure_book_exists(book_id, self._settings)
        return await self._repository.summarize(book_id)

    async def get(self, review_id: UUID) -> ReviewPublic:
        review = await self._repository.get(review_id)
        if review is None:
            raise ReviewNotFoundError
        return _public(review)

    async def update(self, review_id: UUID, patch: ReviewPatch) -> ReviewPublic:
        review = await self._repository.update(review_id, patch)
        if review is None:
            raise ReviewNotFoundError
        return _public(review)

    async def delete(self, review_id: UUID) -> None:
        if not await self._repository.delete(review_id):
            raise ReviewNotFoundError
