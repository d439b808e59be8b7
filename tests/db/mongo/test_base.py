"""The BSON <-> model mapping: `_id` as a standard UUID, UTC timestamps at BSON precision."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from bson import Binary, CodecOptions, UuidRepresentation
from pymongo.asynchronous.collection import AsyncCollection

from app.db.mongo.base import Document
from app.domains.reviews.models import ReviewDocument
from tests.domains.reviews.factories import a_review

pytestmark = pytest.mark.mongo


def test_to_document_stores_the_id_as_underscore_id() -> None:
    review = a_review()

    document = review.to_document()

    assert document["_id"] == review.id
    assert "id" not in document
    assert ReviewDocument.from_document(document) == review


def test_timestamps_are_utc_at_millisecond_precision() -> None:
    plus_two = timezone(timedelta(hours=2))
    review = a_review(
        created_at=datetime(2025, 1, 2, 14, 0, 0, 123456, tzinfo=plus_two),
        updated_at=datetime(2025, 1, 2, 12, 0, 0, 999999),  # naive: UTC by convention
    )

    assert review.created_at == datetime(2025, 1, 2, 12, 0, 0, 123000, tzinfo=UTC)
    assert review.updated_at == datetime(2025, 1, 2, 12, 0, 0, 999000, tzinfo=UTC)


async def test_a_round_trip_through_the_server_is_lossless(
    reviews_collection: AsyncCollection[Document],
) -> None:
    review = a_review(title=None)

    await reviews_collection.insert_one(review.to_document())
    stored = await reviews_collection.find_one({"_id": review.id})

    assert stored is not None
    assert ReviewDocument.from_document(stored) == review
    assert stored["created_at"].tzinfo is UTC


async def test_uuids_use_the_standard_binary_subtype(
    reviews_collection: AsyncCollection[Document],
) -> None:
    review = a_review()
    await reviews_collection.insert_one(review.to_document())

    raw_options: CodecOptions[Document] = CodecOptions(
        uuid_representation=UuidRepresentation.UNSPECIFIED
    )
    raw = await reviews_collection.with_options(codec_options=raw_options).find_one()

    assert raw is not None
    assert raw["_id"] == Binary(review.id.bytes, 4)
    assert raw["book_id"] == Binary(review.book_id.bytes, 4)
