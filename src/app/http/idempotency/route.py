"""How a route declares that it honours `Idempotency-Key`: `dependencies=[IDEMPOTENT]`.

The declaration puts the header on the operation in OpenAPI (`openapi.py` completes it);
`idempotent_routes` finds the declared routes when the app is built, and the middleware acts
on those only.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from re import Pattern
from typing import Annotated

from fastapi import Depends, Header
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute

from app.http.idempotency.records import IDEMPOTENCY_KEY_HEADER

_DESCRIPTION = (
    "Makes retries safe: the first request with a key runs, a retry with the same key and "
    "request replays its response (`Idempotent-Replayed: true`) for 24 h. A duplicate while "
    "the first still runs: 409 (8007). The same key with another request: 422 (8008). A "
    "malformed key: 400 (8009). Redis unavailable: 503 (9003). Keys are scoped per client "
    "and route."
)


async def _declare_idempotency_key(
    key: Annotated[
        str | None, Header(alias=IDEMPOTENCY_KEY_HEADER, description=_DESCRIPTION)
    ] = None,
) -> None:
    """A declaration, not a check: the middleware has answered a bad or replayed key."""


IDEMPOTENT = Depends(_declare_idempotency_key)


@dataclass(frozen=True, slots=True)
class IdempotentRoute:
    name: str  # "POST /v1/books": records are scoped by it
    method: str
    path: Pattern[str]


def idempotent_routes(routes: Sequence[BaseRoute]) -> list[IdempotentRoute]:
    """The routes that declared `IDEMPOTENT` (included routers too, with their full path),
    one entry per method."""
    return [
        IdempotentRoute(f"{method} {route.path}", method, route.path_regex)
        for route in iter_route_contexts(routes)
        if any(
            dependency.dependency is IDEMPOTENT.dependency
            for dependency in getattr(route, "dependencies", ())
        )
        for method in sorted(route.methods or ())
    ]
