"""Non-HTTP ASGI traffic (lifespan) passes every middleware untouched."""

import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.body_limit import BodySizeLimitMiddleware
from app.http.errors.middleware import UnhandledErrorMiddleware
from app.http.request_context.middleware import RequestContextMiddleware


async def _lifespan_app(scope: Scope, receive: Receive, send: Send) -> None:
    message = await receive()
    await send({"type": f"{message['type']}.complete", "seen": scope["type"]})


@pytest.mark.parametrize(
    "middleware",
    [
        RequestContextMiddleware(_lifespan_app),
        UnhandledErrorMiddleware(_lifespan_app),
        BodySizeLimitMiddleware(_lifespan_app, max_bytes=1),
    ],
    ids=type,
)
async def test_lifespan_passes_through(middleware: ASGIApp) -> None:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "lifespan"}
    await middleware(scope, receive, send)
    assert scope == {"type": "lifespan"}
    assert sent == [{"type": "lifespan.startup.complete", "seen": "lifespan"}]
