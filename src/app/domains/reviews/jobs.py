"""Reviews' scheduled jobs: `purge-deleted-books` removes old soft-deleted books and their
reviews, across both stores.

It lives with reviews because reviews depend on books and never the reverse: books know
nothing of what hangs off them, and keep working when reviews are removed.
"""

from datetime import timedelta

from loguru import logger

from app.background.jobs import job
from app.core.settings import Settings
from app.domains.books.services import BookService
from app.domains.reviews.services import ReviewService

# Books per round: each round is one query, one MongoDB delete and one transaction.
PURGE_ROUND = 500


@job("purge-deleted-books")
async def purge_deleted_books(settings: Settings) -> dict[str, int]:
    """Books soft-deleted more than BOOKS_PURGE_AFTER_DAYS days ago (0: every soft-deleted
    book) go for good. Their reviews go first, so a failure half-way leaves no review without
    its book: the next run finds the same books again."""
    age = timedelta(days=settings.books_purge_after_days)
    books, reviews = BookService(settings), ReviewService(settings)
    purged = reviews_purged = 0
    while book_ids := await books.deleted_before(age, limit=PURGE_ROUND):
        reviews_purged += await reviews.delete_of_books(book_ids)
        purged += await books.purge(book_ids)
    logger.info("Purged {} books and {} reviews", purged, reviews_purged)
    return {"purged": purged}
