"""Small random-data builders for review tests."""

import secrets
from typing import Any
from uuid import UUID, uuid4

from app.domains.reviews.models import ReviewDocument


def review_payload(**fields: Any) -> dict[str, Any]:
    """A valid POST /reviews body; keyword arguments override or add fields."""
    payload: dict[str, Any] = {
        "rating": 1 + secrets.randbelow(5),
        "title": f"Title {secrets.token_hex(3)}",
        "body": f"Body {secrets.token_hex(8)}",
        "reviewer": f"reader-{secrets.token_hex(3)}",
    }
    return {**payload, **fields}


def a_review(book_id: UUID | None = None, **fields: Any) -> ReviewDocument:
    return ReviewDocument.model_validate(
        {"book_id": book_id or uuid4(), **review_payload(**fields)}
    )
