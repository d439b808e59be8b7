"""From a request to its caller: API Gateway's authorizer (when trusted, on Lambda) or a
verified bearer token; failures are 401 (8012), an unreachable JWKS is 503 (9005)."""

from typing import Any

from loguru import logger
from starlette.types import Scope

from app.core.cold_start import load_on_first_use
from app.core.settings import Settings
from app.http.auth.caller import Caller, scopes_of
from app.http.auth.gateway import gateway_caller
from app.http.errors.codes import CommonInternalCode
from app.http.errors.exceptions import ServiceUnavailableError, UnauthenticatedError

_NO_TOKEN = {"WWW-Authenticate": "Bearer"}
_BAD_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


async def authenticate(scope: Scope, settings: Settings) -> Caller:
    if settings.auth_trust_gateway_claims and "aws.event" in scope:
        caller = gateway_caller(scope, settings.auth_scope_prefix)
        if caller is not None:
            return caller
    token = bearer_token(scope)
    if token is None:
        raise UnauthenticatedError(headers=_NO_TOKEN)
    # PyJWT and cryptography load here, on the first request with a token.
    tokens: Any = load_on_first_use("app.http.auth.tokens")
    try:
        claims = await tokens.verify(token, settings)
    except tokens.InvalidTokenError as refused:
        logger.info("Bearer token refused: {}", refused)
        raise UnauthenticatedError("The bearer token is not valid", headers=_BAD_TOKEN) from None
    except tokens.KeysUnavailableError as unavailable:
        logger.warning("Token keys unavailable: {}", unavailable)
        raise ServiceUnavailableError(
            code=CommonInternalCode.TOKEN_KEYS_UNAVAILABLE, headers={"Retry-After": "1"}
        ) from None
    return Caller(
        subject=claims["sub"],
        scopes=scopes_of(claims, settings.auth_scope_prefix),
        claims=claims,
        source="token",
    )


def bearer_token(scope: Scope) -> str | None:
    """The token of the one `Authorization: Bearer ...` header; None without one. Any other
    form (two headers, another scheme, nothing after `Bearer`) is an invalid token."""
    values: list[bytes] = [value for name, value in scope["headers"] if name == b"authorization"]
    if not values:
        return None
    scheme, _, token = values[0].decode("latin-1").strip().partition(" ")
    if len(values) > 1 or scheme.lower() != "bearer" or not token.strip():
        raise UnauthenticatedError("The bearer token is not valid", headers=_BAD_TOKEN)
    return token.strip()
