"""Who is calling: subject, scopes and claims. The middleware puts it in `scope["user"]`, where
the rate limit and idempotency keys find it, and routes read it through `CallerDep`."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.authentication import BaseUser


@dataclass(frozen=True)
class Caller(BaseUser):
    subject: str
    scopes: frozenset[str] = frozenset()
    claims: Mapping[str, Any] = field(default_factory=dict)
    # How it was established: a verified token, API Gateway's authorizer, or nobody (auth off).
    source: Literal["token", "gateway", "anonymous"] = "token"

    @property
    def is_authenticated(self) -> bool:
        return self.source != "anonymous"

    @property
    def display_name(self) -> str:
        return self.subject

    @property
    def identity(self) -> str:
        return self.subject


ANONYMOUS = Caller(subject="", source="anonymous")


def scopes_of(claims: Mapping[str, Any], prefix: str) -> frozenset[str]:
    """Scopes from `scope` (space-separated) or `scp` (a list, or space-separated), with
    `prefix` (Cognito's resource-server identifier, e.g. "api/") removed."""
    granted: list[str] = []
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            granted += value.split()
        elif isinstance(value, list | tuple):
            granted += [item for item in value if isinstance(item, str)]
    return frozenset(scope.removeprefix(prefix) if prefix else scope for scope in granted)
