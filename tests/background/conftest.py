"""Queue batches and jobs through the Lambda handler, against the real stores."""

import json
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.domains.books.repositories import BookFilters, BookRepository
from app.lambda_handler import LambdaHandler
from tests.conftest import HandlerFactory
from tests.domains.books.factories import book_payload


@pytest.fixture
def handler(handler_factory: HandlerFactory) -> LambdaHandler:
    return handler_factory()


def book_bodies(author: str, count: int) -> list[str]:
    """`count` valid POST /v1/books bodies by `author`, titled "0", "1", ..."""
    return [json.dumps(book_payload(author=author, title=str(index))) for index in range(count)]


async def titles_by(db_session: AsyncSession, author: str) -> list[str]:
    """The titles of the active books of `author`, oldest first (duplicates would show)."""
    filters = BookFilters(author=author, sort="created_at")
    books, _ = await BookRepository(db_session).list_active(filters, limit=100, offset=0)
    return [book.title for book in books]


def json_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]
