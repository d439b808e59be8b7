"""ReviewRepository against the real server: queries, updates and the summary pipeline."""

from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from pymongo.asynchronous.collection import AsyncCollection

from app.db.mongo.base import Document, bson_now
from app.domains.reviews.repositories import ReviewRepository
from tests.domains.reviews.factories import a_review

pytestmark = pytest.mark.mongo


@pytest.fixture
def repository(reviews_collection: AsyncCollection[Document]) -> ReviewRepository:
    return ReviewRepository(reviews_collection)


async def add_reviews(repository: ReviewRepository, book_id: UUID, *ratings: int) -> list[UUID]:
    """Reviews one second apart, oldest first; returns their ids."""
    start = bson_now() - timedelta(hours=1)
    ids = []
    for offset, rating in enumerate(ratings):
        review = a_review(book_id, rating=rating, created_at=start + timedelta(seconds=offset))
        await repository.add(review)
        ids.append(review.id)
    return ids


async def test_get_returns_what_add_stored(repository: ReviewRepository) -> None:
    review = a_review()
    await repository.add(review)

    assert await repository.get(review.id) == review
    assert await repository.get(uuid4()) is None


async def test_list_is_newest_first_paginated_and_per_book(repository: ReviewRepository) -> None:
    book_id = uuid4()
    ids = await add_reviews(repository, book_id, 1, 2, 3, 4, 5)
    await add_reviews(repository, uuid4(), 5)

    first, total = await repository.list_for_book(book_id, reviewer=None, limit=2, offset=0)
    rest, _ = await repository.list_for_book(book_id, reviewer=None, limit=10, offset=2)

    assert total == 5
    assert [review.id for review in first + rest] == ids[::-1]


async def test_same_instant_reviews_keep_a_stable_order(repository: ReviewRepository) -> None:
    book_id, created_at = uuid4(), bson_now()
    reviews = [a_review(book_id, created_at=created_at) for _ in range(3)]
    for review in reviews:
        await repository.add(review)

    listed, _ = await repository.list_for_book(book_id, reviewer=None, limit=20, offset=0)

    assert [review.id for review in listed] == sorted((r.id for r in reviews), reverse=True)


@pytest.mark.parametrize("reviewer", ['{"$ne": "x"}', "$ne", ".*", "ANN"])
async def test_reviewer_filter_is_an_exact_literal(
    repository: ReviewRepository, reviewer: str
) -> None:
    book_id = uuid4()
    await repository.add(a_review(book_id, reviewer="ann"))

    exact, total = await repository.list_for_book(book_id, reviewer="ann", limit=20, offset=0)
    other, other_total = await repository.list_for_book(
        book_id, reviewer=reviewer, limit=20, offset=0
    )

    assert (len(exact), total) == (1, 1)
    assert (other, other_total) == ([], 0)


async def test_update_changes_only_the_sent_fields(repository: ReviewRepository) -> None:
    review = a_review(rating=2, title="Meh")
    await repository.add(review)

    updated = await repository.update(review.id, {"rating": 5, "title": None})

    assert updated is not None
    assert (updated.rating, updated.title) == (5, None)
    assert (updated.body, updated.reviewer, updated.created_at) == (
        review.body,
        review.reviewer,
        review.created_at,
    )
    assert updated.updated_at >= review.updated_at
    assert await repository.get(review.id) == updated


async def test_updating_a_missing_review_finds_nothing(repository: ReviewRepository) -> None:
    assert await repository.update(uuid4(), {"rating": 3}) is None


async def test_add_missing_skips_reviews_already_there(repository: ReviewRepository) -> None:
    kept = a_review(rating=1)
    await repository.add(kept)
    new = a_review()

    added = await repository.add_missing([a_review(id=kept.id, rating=5), new])

    assert added == 1
    assert await repository.get(kept.id) == kept
    assert await repository.get(new.id) == new


async def test_delete_reports_whether_a_review_was_removed(repository: ReviewRepository) -> None:
    review = a_review()
    await repository.add(review)

    assert await repository.delete(review.id) is True
    assert await repository.delete(review.id) is False
    assert await repository.get(review.id) is None


async def test_summary_is_computed_by_the_server(repository: ReviewRepository) -> None:
    book_id = uuid4()
    await add_reviews(repository, book_id, 5, 4, 4)
    await add_reviews(repository, uuid4(), 1, 1)

    summary = await repository.summarize(book_id)

    assert summary.count == 3
    assert summary.average == 4.33
    assert summary.by_rating == {1: 0, 2: 0, 3: 0, 4: 2, 5: 1}


async def test_summary_of_a_book_without_reviews(repository: ReviewRepository) -> None:
    summary = await repository.summarize(uuid4())

    assert (summary.count, summary.average) == (0, None)
    assert summary.by_rating == dict.fromkeys(range(1, 6), 0)
