"""Book DTOs: what clients send (create, replace, patch), what they get back, and list queries."""

from datetime import datetime
from typing import Annotated, Literal, Self
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import StringConstraints as Text

from app.api.v1.books.isbn import normalise_isbn
from app.db.postgresql.enums import BookType
from app.shared.utils_dates import utc_now

# Old enough for antiquity, while still rejecting garbage such as -2**31.
MIN_YEAR = -3000
# List filters may reach past next year ("up to 2100"), but stay within a database integer.
MAX_FILTER_YEAR = 9999

BookSort = Literal["title", "-title", "year", "-year", "created_at", "-created_at"]


def _not_after_next_year(year: int) -> int:
    if year > utc_now().year + 1:
        raise ValueError("must not be after next year")
    return year


# PostgreSQL text cannot hold NUL: refuse it as invalid input rather than fail in the database.
WITHOUT_NUL = r"^[^\x00]*$"
Name = Annotated[
    str, Text(strip_whitespace=True, min_length=1, max_length=255, pattern=WITHOUT_NUL)
]
Year = Annotated[int, Field(ge=MIN_YEAR), AfterValidator(_not_after_next_year)]
Isbn = Annotated[
    str,
    Field(description="ISBN-10 or ISBN-13, hyphens allowed; stored and returned as ISBN-13"),
    AfterValidator(normalise_isbn),
]


class BookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Name
    author: Name
    year: Year
    type: BookType
    isbn: Isbn | None = None


class BookReplace(BookCreate):
    """PUT body: every field; an omitted ISBN is cleared."""


class BookPatch(BaseModel):
    """PATCH body: only the fields sent change; only `isbn` may be set to null."""

    model_config = ConfigDict(extra="forbid")

    title: Name | None = None
    author: Name | None = None
    year: Year | None = None
    type: BookType | None = None
    isbn: Isbn | None = None

    @field_validator("title", "author", "year", "type")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Defaults are not validated, so this only rejects an explicit null.
        if value is None:
            raise ValueError("may not be null")
        return value

    @model_validator(mode="after")
    def _at_least_one_field(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        return self


class BookPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    title: str
    author: str
    year: int
    type: BookType
    isbn: str | None
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="+1 on every change; the ETag is this number quoted")


class BookListQuery(BaseModel):
    """Filters and order of GET /v1/books (pagination comes from PageParamsDep)."""

    author: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        pattern=WITHOUT_NUL,
        description="Exact author, case-insensitive",
    )
    type: BookType | None = None
    year_from: int | None = Field(default=None, ge=MIN_YEAR, le=MAX_FILTER_YEAR)
    year_to: int | None = Field(default=None, ge=MIN_YEAR, le=MAX_FILTER_YEAR)
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        pattern=WITHOUT_NUL,
        description="Title contains, case-insensitive",
    )
    sort: BookSort = Field(default="-created_at", description="Ties are broken by id")
