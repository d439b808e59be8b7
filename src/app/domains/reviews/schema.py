"""Review DTOs. Inputs are closed: a JSON object where a string or number belongs
(`{"$gt": ""}`) or an unknown field is a 422, so no request value reaches a query as an object.
"""

from typing import Annotated
from uuid import UUID

from pydantic import MISSING, BaseModel, ConfigDict, Field, StringConstraints

from app.http.pagination import PageParams
from app.http.schemas import (
    INTEGRAL,
    NOT_BLANK,
    WITHOUT_NUL,
    InputModel,
    PatchModel,
    Stripped,
    UtcDateTime,
)

# "4" and true are not ratings; 4.0 is (a JSON integer).
Rating = Annotated[int, Field(ge=1, le=5, strict=True, examples=[4]), INTEGRAL]
ReviewTitle = Annotated[str, StringConstraints(max_length=200, pattern=WITHOUT_NUL), Stripped]
ReviewBody = Annotated[
    str, StringConstraints(min_length=1, max_length=5000, pattern=NOT_BLANK), Stripped
]
Reviewer = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=NOT_BLANK), Stripped
]


class ReviewCreate(InputModel):
    rating: Rating
    title: ReviewTitle | None = None
    body: ReviewBody
    reviewer: Reviewer


class ReviewPatch(PatchModel):
    """Only the fields sent change; `title` may be cleared with null, the others may not."""

    rating: Rating | MISSING = MISSING
    title: ReviewTitle | MISSING | None = MISSING
    body: ReviewBody | MISSING = MISSING
    reviewer: Reviewer | MISSING = MISSING


class ReviewPublic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UUID
    book_id: UUID
    rating: int
    title: str | None
    body: str
    reviewer: str
    created_at: UtcDateTime
    updated_at: UtcDateTime


class ReviewSummary(BaseModel):
    count: int = Field(examples=[3])
    average_rating: float | None = Field(examples=[4.33])
    histogram: dict[str, int] = Field(examples=[{"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}])


class ReviewListQuery(PageParams):
    """Filter and page of a book's reviews."""

    reviewer: Reviewer | None = Field(default=None, description="Exact reviewer name")
