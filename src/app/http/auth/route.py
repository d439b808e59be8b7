"""What a route declares: `dependencies=[requires("books:read")]`, and `CallerDep` for the
caller. The declaration puts the bearer scheme and the scope on the operation in OpenAPI."""

from typing import Annotated

from fastapi import Request, Security
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.params import Security as SecurityParam
from fastapi.security import SecurityScopes
from fastapi.security.base import SecurityBase

from app.core.settings import Settings
from app.http.auth.authenticate import authenticate
from app.http.auth.caller import ANONYMOUS, Caller
from app.http.errors.exceptions import ForbiddenError


class BearerCaller(SecurityBase):
    """The dependency is the security scheme itself: FastAPI documents it from the route's
    declaration, and a request resolves one dependency instead of a scheme beneath it."""

    def __init__(self) -> None:
        self.scheme_name = "bearer"
        self.model = HTTPBearerModel(
            bearerFormat="JWT",
            description="A JWT from the issuer in AUTH_ISSUER; each operation lists the scope "
            "it needs.",
        )

    async def __call__(self, request: Request, security_scopes: SecurityScopes) -> Caller:
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
                headers={
                    "WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{needed}"'
                },
            )
        return caller


_CALLER = BearerCaller()


def requires(scope: str) -> SecurityParam:
    """The route needs a caller with `scope` (e.g. "books:write") when auth is enabled."""
    declaration: SecurityParam = Security(_CALLER, scopes=[scope])
    return declaration


CallerDep = Annotated[Caller, Security(_CALLER)]
