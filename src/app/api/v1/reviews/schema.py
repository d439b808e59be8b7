"""Review DTOs. Inputs are strict and closed: a JSON object where a string or number belongs
(`{"$gt": ""}`) or an unknown field is a 422, so no request value reaches a query as an object.
"""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.shared.pagination import PageParams

Rating = Annotated[int, Field(ge=1, le=5, examples=[4])]
ReviewTitle = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
ReviewBody = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Reviewer = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]

_INPUT = ConfigDict(extra="forbid", strict=True)


class ReviewCreate(BaseModel):
    model_config = _INPUT

    rating: Rating
    title: ReviewTitle | None = None
    body: ReviewBody
    reviewer: Reviewer


class ReviewPatch(BaseModel):
    """Only the fields sent change; `title` may be cleared with null, the others may not."""

    model_config = _INPUT

    rating: Rating | None = None
    title: ReviewTitle | None = None
    body: ReviewBody | None = None
    reviewer: Reviewer | None = None

    @field_validator("rating", "body", "reviewer", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be omitted but not null")
        return value


class ReviewPublic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UUID
    book_id: UUID
    rating: int
    title: str | None
    body: str
    reviewer: str
    created_at: datetime
    updated_at: datetime


class ReviewSummary(BaseModel):
    count: int = Field(examples=[3])
    average_rating: float | None = Field(examples=[4.33])
    histogram: dict[str, int] = Field(examples=[{"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}])


class ReviewListQuery(PageParams):
    """Query of the per-book listing; unknown parameters (`reviewer[$ne]=x`) are a 422."""

    model_config = ConfigDict(extra="forbid")

    reviewer: Reviewer | None = Field(default=None, description="Exact reviewer name")
