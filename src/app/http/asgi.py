"""ASGI plumbing for the pure middlewares: the shared shape, the routed path, and helpers
for middlewares that read the request body or hold back the response."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HttpMiddleware:
    """Acts on HTTP requests only; anything else (lifespan, websockets) passes through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle_http(scope, receive, send)

    async def handle_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


def route_path(scope: Scope) -> str:
    """`scope["path"]` without the API base path (`root_path`), when the path carries it.

    Same rule as Starlette's router: the prefix is removed by whole segment only.
    """
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and under_prefix(path, root_path):
        return path[len(root_path) :] or "/"
    return path


def under_prefix(path: str, prefix: str) -> bool:
    """`path` is `prefix` or below it, by whole segment: "/v1" holds "/v1/books", not "/v10"."""
    return path == prefix or path.startswith(f"{prefix}/")


def location_of(request: Request, route_name: str, **path_params: object) -> str:
    """The public path of a named route (a `Location` header), API base path included."""
    path = request.app.url_path_for(
        route_name, **{name: str(value) for name, value in path_params.items()}
    )
    return f"{request.scope.get('root_path', '')}{path}"


def lambda_request_context(scope: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The Lambda event's `requestContext` (API Gateway, ALB, Function URL) when Mangum set one."""
    event = scope.get("aws.event")
    request_context = event.get("requestContext") if isinstance(event, Mapping) else None
    return request_context if isinstance(request_context, Mapping) else None


async def read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when the client disconnected first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def replaying_receive(body: bytes, receive: Receive) -> Receive:
    """Hands an already read body to the app, then defers to `receive` (disconnects)."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def raising_receive(error: Exception) -> Receive:
    """Makes the app's own body read fail with `error`, so its error handlers answer it."""

    async def receive() -> Message:
        raise error

    return receive


@dataclass(slots=True)
class BufferedResponse:
    """A `send` that keeps the response messages instead of sending them."""

    messages: list[Message] = field(default_factory=list)

    async def send(self, message: Message) -> None:
        self.messages.append(message)

    @property
    def status(self) -> int:
        """The response status; 500 when the app sent nothing."""
        for message in self.messages:
            if message["type"] == "http.response.start":
                return int(message["status"])
        return 500

    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        for message in self.messages:
            if message["type"] == "http.response.start":
                return list(message.get("headers", ()))
        return []

    @property
    def body(self) -> bytes:
        return b"".join(
            message.get("body", b"")
            for message in self.messages
            if message["type"] == "http.response.body"
        )
