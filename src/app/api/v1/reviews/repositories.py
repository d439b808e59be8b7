"""Review persistence in MongoDB.

Every filter and update is built here from typed values (UUIDs, validated strings and ints)
with fixed field names; equality goes through `$eq` so a value is always a literal, never an
operator. Nothing from a request is passed to the driver as an object.
"""

from typing import TYPE_CHECKING, Any
from uuid import UUID

from app.api.v1.reviews.schema import ReviewPatch, ReviewSummary
from app.db.mongo.base import DESCENDING, Document, bson_now
from app.db.mongo.models.review import ReviewDocument
from app.shared.pagination import PageParams

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

NEWEST_FIRST = [("created_at", DESCENDING), ("_id", DESCENDING)]
RATINGS = range(1, 6)


def _by_id(review_id: UUID) -> Document:
    return {"_id": {"$eq": review_id}}


def _of_book(book_id: UUID, reviewer: str | None = None) -> Document:
    query: Document = {"book_id": {"$eq": book_id}}
    if reviewer is not None:
        query["reviewer"] = {"$eq": reviewer}
    return query


def _summary_pipeline(book_id: UUID) -> list[Document]:
    return [
        {"$match": _of_book(book_id)},
        {
            "$facet": {
                "totals": [
                    {"$group": {"_id": None, "count": {"$sum": 1}, "average": {"$avg": "$rating"}}},
                    {"$project": {"_id": 0, "count": 1, "average": {"$round": ["$average", 2]}}},
                ],
                "by_rating": [{"$group": {"_id": "$rating", "count": {"$sum": 1}}}],
            }
        },
    ]


class ReviewRepository:
    def __init__(self, collection: "AsyncCollection[Document]") -> None:
        self._collection = collection

    async def add(self, review: ReviewDocument) -> None:
        await self._collection.insert_one(review.to_document())

    async def get(self, review_id: UUID) -> ReviewDocument | None:
        document = await self._collection.find_one(_by_id(review_id))
        return None if document is None else ReviewDocument.from_document(document)

    async def list_for_book(
        self, book_id: UUID, page: PageParams, *, reviewer: str | None = None
    ) -> tuple[list[ReviewDocument], int]:
        """One page, newest first, and the total matching count."""
        query = _of_book(book_id, reviewer)
        total = await self._collection.count_documents(query)
        cursor = self._collection.find(query).sort(NEWEST_FIRST).skip(page.offset)
        documents = await cursor.limit(page.limit).to_list()
        return [ReviewDocument.from_document(document) for document in documents], total

    async def update(self, review_id: UUID, patch: ReviewPatch) -> ReviewDocument | None:
        """Apply the fields the client sent; None when the review does not exist."""
        from pymongo import ReturnDocument

        changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
        if not changes:
            return await self.get(review_id)
        document = await self._collection.find_one_and_update(
            _by_id(review_id),
            {"$set": {**changes, "updated_at": bson_now()}},
            return_document=ReturnDocument.AFTER,
        )
        return None if document is None else ReviewDocument.from_document(document)

    async def delete(self, review_id: UUID) -> bool:
        result = await self._collection.delete_one(_by_id(review_id))
        return result.deleted_count == 1

    async def summarize(self, book_id: UUID) -> ReviewSummary:
        """Count, rounded average and histogram, all computed by the server's pipeline."""
        cursor = await self._collection.aggregate(_summary_pipeline(book_id))
        (result,) = await cursor.to_list()
        totals = result["totals"][0] if result["totals"] else {"count": 0, "average": None}
        by_rating = {group["_id"]: group["count"] for group in result["by_rating"]}
        return ReviewSummary(
            count=totals["count"],
            average_rating=totals["average"],
            histogram={str(rating): by_rating.get(rating, 0) for rating in RATINGS},
        )
