"""What a route declares: `dependencies=[requires("books:read")]`, and `CallerDep` for the
caller. The declaration puts the bearer scheme and the scope on the operation in OpenAPI."""

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.params import Security as SecurityParam
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes

from app.core.settings import Settings
from app.http.auth.authenticate import authenticate
from app.http.auth.caller import ANONYMOUS, Caller
from app.http.errors.exceptions import ForbiddenError

BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="JWT",
    description="A JWT from the issuer in AUTH_ISSUER; each operation lists the scope it needs.",
)


async def _caller(
    request: Request,
    security_scopes: SecurityScopes,
    # Documents the scheme; the middleware has read the header already.
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> Caller:
    settings: Settings = request.app.state.settings
    if not settings.auth_enabled:
        return ANONYMOUS
    caller = request.scope.get("user")
    if not isinstance(caller, Caller):  # a route outside the middleware's prefix
        caller = request.scope["user"] = await authenticate(request.scope, settings)
    missing = [scope for scope in security_scopes.scopes if scope not in caller.scopes]
    if missing:
        needed = " ".join(missing)
        raise ForbiddenError(
            f"This needs the scope {needed}",
            details={"required_scopes": missing},
            headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{needed}"'},
        )
    return caller


def requires(scope: str) -> SecurityParam:
    """The route needs a caller with `scope` (e.g. "books:write") when auth is enabled."""
    declaration: SecurityParam = Security(_caller, scopes=[scope])
    return declaration


CallerDep = Annotated[Caller, Security(_caller)]
