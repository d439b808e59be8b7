"""Pagination query parameters and the list payload `{items, total, limit, offset}`."""

from typing import Annotated, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict, Field

ItemT = TypeVar("ItemT")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# The databases take a signed 64-bit skip; a larger offset would fail there as a 500.
MAX_OFFSET = 2**63 - 1


class PageParams(BaseModel):
    """`limit` and `offset` with their bounds; query models that page extend it."""

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class Page[ItemT](BaseModel):
    # One parametrisation per listed type, built on first use (as the envelope is).
    model_config = ConfigDict(defer_build=True)

    items: list[ItemT]
    total: int
    limit: int
    offset: int


async def _page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageParamsDep = Annotated[PageParams, Depends(_page_params)]
