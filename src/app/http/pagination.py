"""Paging: the `limit`/`offset` query every list extends, and the list payload
`{items, total, limit, offset}`."""

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# The databases take a signed 64-bit skip; a larger offset would fail there as a 500.
MAX_OFFSET = 2**63 - 1


class PageParams(BaseModel):
    """The query of a list route; its filters extend it (`Annotated[XListQuery, Query()]`).

    Closed: an unknown query parameter (`reviewer[$ne]=x`, a misspelt filter) is a 422, not
    silently ignored.
    """

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class Page[ItemT](BaseModel):
    # One parametrisation per listed type, built on first use (as the envelope is).
    model_config = ConfigDict(defer_build=True)

    items: list[ItemT]
    total: int
    limit: int
    offset: int
