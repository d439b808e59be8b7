"""Per-client rate limit on the API routes: `RateLimit-*` headers on every answer, 429 when over.

The counting lives behind `RateLimiter` (Redis in production); when it cannot answer the
request passes, since an outage of the limiter must not become an outage of the API.
"""

from dataclasses import dataclass
from typing import Protocol

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.asgi import route_path, under_prefix
from app.http.errors.exceptions import TooManyRequestsError, error_response
from app.http.request_context.client_identity import client_identity


@dataclass(frozen=True, slots=True)
class RateLimitDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }


class RateLimiter(Protocol):
    async def hit(self, client: str) -> RateLimitDecision | None:
        """Counts one request of `client`; None when the limiter cannot decide (store down)."""
        ...


class RateLimitMiddleware:
    def __init__(
        self, app: ASGIApp, limiter: RateLimiter, path_prefix: str, trusted_proxy_hops: int
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.path_prefix = path_prefix.rstrip("/")
        self.trusted_proxy_hops = trusted_proxy_hops

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not under_prefix(route_path(scope), self.path_prefix):
            await self.app(scope, receive, send)
            return
        decision = await self.limiter.hit(client_identity(scope, self.trusted_proxy_hops))
        if decision is None:
            await self.app(scope, receive, send)
            return
        headers = decision.headers()
        if not decision.allowed:
            retry_after = {"Retry-After": str(decision.reset_seconds)}
            rejection = TooManyRequestsError(
                details={"limit": decision.limit, "retry_after_seconds": decision.reset_seconds},
                headers=headers | retry_after,
            )
            await error_response(rejection)(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)
