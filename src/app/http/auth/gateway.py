"""The caller as API Gateway's authorizer established it, from the Lambda event only.

Read when AUTH_TRUST_GATEWAY_CLAIMS is on and the request came through Lambda (Mangum puts the
event in the ASGI scope; no header can): the HTTP API JWT authorizer
(`requestContext.authorizer.jwt`), the REST Cognito authorizer (`authorizer.claims`) and a
Lambda authorizer's context (`authorizer.lambda` on HTTP APIs, `authorizer` itself on REST).
"""

from collections.abc import Mapping
from typing import Any

from app.http.asgi import lambda_request_context
from app.http.auth.caller import Caller, scopes_of


def gateway_caller(scope: Mapping[str, Any], scope_prefix: str) -> Caller | None:
    """The authorizer's caller, or None when the event carries no authorizer with a subject."""
    context = lambda_request_context(scope)
    authorizer = context.get("authorizer") if context is not None else None
    if not isinstance(authorizer, Mapping):
        return None
    jwt = authorizer.get("jwt")
    if isinstance(jwt, Mapping) and isinstance(jwt.get("claims"), Mapping):
        claims: Mapping[str, Any] = jwt["claims"]
        # The JWT authorizer lists the token's scopes apart, already split.
        scopes = {"scope": jwt["scopes"]} if isinstance(jwt.get("scopes"), list) else claims
        return _caller(claims, scopes_of(scopes, scope_prefix), claims.get("sub"))
    if isinstance(authorizer.get("claims"), Mapping):
        claims = authorizer["claims"]
        return _caller(claims, scopes_of(claims, scope_prefix), claims.get("sub"))
    lambda_context = authorizer.get("lambda")
    context_values = lambda_context if isinstance(lambda_context, Mapping) else authorizer
    subject = context_values.get("sub") or context_values.get("principalId")
    subject = subject or authorizer.get("principalId")
    return _caller(context_values, _context_scopes(context_values, scope_prefix), subject)


def _context_scopes(context: Mapping[str, Any], prefix: str) -> frozenset[str]:
    # A Lambda authorizer's context may name them `scope` or `scopes`.
    return scopes_of({"scope": context.get("scope") or context.get("scopes")}, prefix)


def _caller(claims: Mapping[str, Any], scopes: frozenset[str], subject: object) -> Caller | None:
    if not isinstance(subject, str) or not subject:
        return None
    return Caller(subject=subject, scopes=scopes, claims=dict(claims), source="gateway")
