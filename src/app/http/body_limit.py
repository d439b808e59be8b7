"""Request body size limit, enforced on the bytes actually received (chunked bodies too)."""

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.asgi import HttpMiddleware
from app.http.errors.exceptions import PayloadTooLargeError, error_response


class BodySizeLimitMiddleware(HttpMiddleware):
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def handle_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._declared_length(scope) > self.max_bytes:
            await self._too_large()(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI re-raises HTTPException from body reading unchanged,
                    # so the 413 handler answers with the envelope.
                    raise HTTPException(status_code=413)
            return message

        await self.app(scope, limited_receive, send)

    @staticmethod
    def _declared_length(scope: Scope) -> int:
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    return 0
        return 0

    def _too_large(self) -> ASGIApp:
        return error_response(PayloadTooLargeError(details={"max_bytes": self.max_bytes}))
