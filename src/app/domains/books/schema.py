"""Book DTOs: what clients send (create, replace, patch), what they get back, list queries."""

from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import MISSING, AfterValidator, BaseModel, ConfigDict, Field

from app.core.clock import utc_now
from app.domains.books.isbn import ISBN_PATTERN, normalise_isbn
from app.http.pagination import PageParams
from app.http.schemas import INTEGRAL, WITHOUT_NUL, InputModel, Name, PatchModel, UtcDateTime

# Old enough for antiquity, while still rejecting garbage such as -2**31.
MIN_YEAR = -3000
# List filters may reach past next year ("up to 2100"), but stay within a database integer.
MAX_FILTER_YEAR = 9999

BookSort = Literal["title", "-title", "year", "-year", "created_at", "-created_at"]


class BookType(StrEnum):
    ONLINE = "online"
    PHYSICAL = "physical"
    BOTH = "both"


def _not_after_next_year(year: int) -> int:
    if year > utc_now().year + 1:
        raise ValueError("must not be after next year")
    return year


def _next_year_at_most(schema: dict[str, Any]) -> None:
    # The bound moves with the calendar: documented as it stands when the schema is built, and
    # named, so the committed contract (openapi.json) states it without a number going stale.
    schema["maximum"] = utc_now().year + 1
    schema["x-maximum"] = "next year"


Year = Annotated[
    int,
    Field(ge=MIN_YEAR, strict=True, json_schema_extra=_next_year_at_most),
    INTEGRAL,
    AfterValidator(_not_after_next_year),
]
Isbn = Annotated[
    str,
    Field(
        description="ISBN-10 or ISBN-13 with a valid check digit, hyphens or spaces allowed; "
        "stored and returned as ISBN-13",
        min_length=10,
        max_length=17,
        pattern=ISBN_PATTERN,
        json_schema_extra={"format": "isbn"},
    ),
    AfterValidator(normalise_isbn),
]


class BookCreate(InputModel):
    title: Name
    author: Name
    year: Year
    type: BookType
    isbn: Isbn | None = None


class BookImport(InputModel):
    """POST /v1/books/imports: books created in the background, one queue message each."""

    books: list[BookCreate] = Field(min_length=1, max_length=100)


class BookImportQueued(BaseModel):
    queued: int = Field(description="Books queued, each created once its message is consumed")


class BookReplace(BookCreate):
    """PUT body: every field; an omitted ISBN is cleared."""


class BookPatch(PatchModel):
    """PATCH body: only the fields sent change; only `isbn` may be set to null."""

    title: Name | MISSING = MISSING
    author: Name | MISSING = MISSING
    year: Year | MISSING = MISSING
    type: BookType | MISSING = MISSING
    isbn: Isbn | MISSING | None = MISSING


class BookPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    title: str
    author: str
    year: int
    type: BookType
    isbn: str | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
    version: int = Field(description="+1 on every change; the ETag is this number quoted")


class BookListQuery(PageParams):
    """Filters, order and page of GET /v1/books."""

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
