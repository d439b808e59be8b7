"""Who is calling: the key that rate limits and idempotency records are scoped by."""

import ipaddress
from collections.abc import Mapping
from typing import Any

from starlette.authentication import BaseUser
from starlette.types import Scope

from app.http.asgi import lambda_request_context

UNKNOWN_CLIENT = "ip:unknown"


def client_identity(scope: Scope, trusted_proxy_hops: int) -> str:
    """`user:<id>` once an authentication middleware has set `scope["user"]`, else `ip:<ip>`.

    Authentication hook: any outer middleware that puts an authenticated Starlette `BaseUser`
    in `scope["user"]` (as `AuthenticationMiddleware` does) makes its `identity` the client.
    """
    user = scope.get("user")
    if isinstance(user, BaseUser) and user.is_authenticated:
        return f"user:{user.identity}"
    context = lambda_request_context(scope)
    if context is not None and "elb" in context:
        # ALB events carry no source IP, and Mangum makes the whole X-Forwarded-For the
        # client: the ALB is itself a trusted proxy, so its entry (the right-most) is the peer.
        trusted_proxy_hops = max(trusted_proxy_hops, 1)
    ip = (
        _forwarded_ip(scope, trusted_proxy_hops)
        or _api_gateway_source_ip(context)
        or _peer_ip(scope)
    )
    return f"ip:{ip}" if ip else UNKNOWN_CLIENT


def _forwarded_ip(scope: Scope, trusted_proxy_hops: int) -> str | None:
    """The address our outermost trusted proxy saw: `trusted_proxy_hops` from the right.

    Entries further left were written by the client and prove nothing.
    """
    if trusted_proxy_hops <= 0:
        return None
    values = [
        value.decode("latin-1") for name, value in scope["headers"] if name == b"x-forwarded-for"
    ]
    hops = [hop.strip() for hop in ",".join(values).split(",") if hop.strip()]
    if not hops:
        return None
    return _valid_ip(hops[-min(trusted_proxy_hops, len(hops))])


def _api_gateway_source_ip(context: Mapping[str, Any] | None) -> str | None:
    """API Gateway's view of the caller: `identity.sourceIp` (REST, v1), `http.sourceIp` (v2)."""
    if context is None:
        return None
    for section in ("http", "identity"):
        source = context.get(section)
        if isinstance(source, Mapping) and isinstance(source.get("sourceIp"), str):
            return _valid_ip(source["sourceIp"])
    return None


def _peer_ip(scope: Scope) -> str | None:
    client = scope.get("client")
    return _valid_ip(str(client[0])) if client else None


def _valid_ip(candidate: str) -> str | None:
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None
