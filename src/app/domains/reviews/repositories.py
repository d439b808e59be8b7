"""Review persistence in MongoDB.

Every filter and update is built here from typed values (UUIDs, validated strings and ints)
with fixed field names; equality goes through `$eq` so a value is always a literal, never an
operator. Nothing from a request is passed to the driver as an object.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from app.db.mongo.base import DESCENDING, Document, bson_now
from app.domains.reviews.models import ReviewDocument

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


@dataclass(frozen=True, slots=True)
class RatingSummary:
    count: int
    average: float | None  # None when there are no reviews
    by_rating: dict[int, int]  # every rating 1-5, zero when none


class ReviewRepository:
    def __init__(self, collection: "AsyncCollection[Document]") -> None:
        self._collection = collection

    async def add(self, review: ReviewDocument) -> None:
        await self._collection.insert_one(review.to_document())

    async def add_missing(self, reviews: Sequence[ReviewDocument]) -> int:
        """Insert the reviews whose id is not taken yet; returns how many were."""
        added = 0
        for review in reviews:
            fields = {key: value for key, value in review.to_document().items() if key != "_id"}
            result = await self._collection.update_one(
                _by_id(review.id), {"$setOnInsert": fields}, upsert=True
            )
            added += result.upserted_id is not None
        return added

    async def get(self, review_id: UUID) -> ReviewDocument | None:
        document = await self._collection.find_one(_by_id(review_id))
        return None if document is None else ReviewDocument.from_document(document)

    async def list_for_book(
        self, book_id: UUID, *, reviewer: str | None, limit: int, offset: int
    ) -> tuple[list[ReviewDocument], int]:
        """One page, newest first, and the total matching count."""
        query = _of_book(book_id, reviewer)
        total = await self._collection.count_documents(query)
        cursor = self._collection.find(query).sort(NEWEST_FIRST).skip(offset)
        documents = await cursor.limit(limit).to_list()
        return [ReviewDocument.from_document(document) for document in documents], total

    async def update(self, review_id: UUID, changes: Mapping[str, Any]) -> ReviewDocument | None:
        """Set `changes` (and `updated_at`); None when the review does not exist."""
        from pymongo import ReturnDocument

        document = await self._collection.find_one_and_update(
            _by_id(review_id),
            {"$set": {**changes, "updated_at": bson_now()}},
            return_document=ReturnDocument.AFTER,
        )
        return None if document is None else ReviewDocument.from_document(document)

    async def delete(self, review_id: UUID) -> bool:
        result = await self._collection.delete_one(_by_id(review_id))
        return result.deleted_count == 1

    async def delete_of_books(self, book_ids: Sequence[UUID]) -> int:
        """Delete every review of these books; returns how many there were."""
        result = await self._collection.delete_many({"book_id": {"$in": list(book_ids)}})
        return result.deleted_count

    async def summarize(self, book_id: UUID) -> RatingSummary:
        """Count, rounded average and histogram, all computed by the server's pipeline."""
        cursor = await self._collection.aggregate(_summary_pipeline(book_id))
        (result,) = await cursor.to_list()
        totals: Document = result["totals"][0] if result["totals"] else {"count": 0}
        by_rating = {group["_id"]: group["count"] for group in result["by_rating"]}
        return RatingSummary(
            count=int(totals["count"]),
            average=totals.get("average"),
            by_rating={rating: by_rating.get(rating, 0) for rating in RATINGS},
        )
