"""The `reviews` collection: one document per review of a book, with its indexes."""

from typing import ClassVar
from uuid import UUID

from app.db.mongo.base import ASCENDING, DESCENDING, IndexSpec, MongoDocument


class ReviewDocument(MongoDocument):
    collection_name: ClassVar[str] = "reviews"
    indexes: ClassVar[tuple[IndexSpec, ...]] = (
        # Serves the per-book listing (newest first, `_id` breaks ties so pages are stable),
        # its count, the reviewer filter within a book and the summary's $match.
        IndexSpec(
            name="book_newest_first",
            keys=(("book_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)),
        ),
    )

    book_id: UUID
    rating: int
    title: str | None = None
    body: str
    reviewer: str
