"""What a request body may be, enforced on the bytes actually received: no larger than the
limit (chunked bodies too), and, when it is JSON, UTF-8.

JSON between systems is UTF-8 (RFC 8259 section 8.1), but `json.loads` reads bytes in UTF-16
or UTF-32 as well, guessing the encoding from the first four bytes; those bodies get the 422
of any unreadable JSON instead. A UTF-8 byte order mark stays accepted, as the RFC allows.
"""

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.asgi import HttpMiddleware
from app.http.errors.exceptions import PayloadTooLargeError, error_response

# What `json.loads` takes for UTF-16 or UTF-32: a byte order mark, or a NUL among the first
# four bytes (a JSON text starts with ASCII, which those encodings pad with NULs).
_UTF_16_OR_32_MARKS = (b"\xff\xfe", b"\xfe\xff")
_JSON_HEAD = 4


class BodySizeLimitMiddleware(HttpMiddleware):
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def handle_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._declared_length(scope) > self.max_bytes:
            await self._too_large()(scope, receive, send)
            return
        received = 0
        # The first bytes of the body while its encoding is still to be checked; None after.
        head: bytes | None = b""

        async def limited_receive() -> Message:
            nonlocal received, head
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > self.max_bytes:
                    # FastAPI re-raises HTTPException from body reading unchanged,
                    # so the 413 handler answers with the envelope.
                    raise HTTPException(status_code=413)
                if head is not None and chunk:
                    json_body = bool(head) or _is_json(scope)
                    head = _json_head(head + chunk[:_JSON_HEAD]) if json_body else None
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


def _is_json(scope: Scope) -> bool:
    """Whether FastAPI reads the body as JSON: `application/json` or `application/*+json`."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            media_type: bytes = value.split(b";", 1)[0].strip().lower()
            return media_type == b"application/json" or (
                media_type.startswith(b"application/") and media_type.endswith(b"+json")
            )
    return False


def _json_head(head: bytes) -> bytes | None:
    """The JSON body's first bytes while too few are in to tell its encoding, else None.

    Raises the 400 FastAPI raises for a body `json.loads` cannot read (answered 422/8001) when
    they are UTF-16 or UTF-32.
    """
    if head.startswith(_UTF_16_OR_32_MARKS) or b"\x00" in head[:_JSON_HEAD]:
        raise HTTPException(status_code=400) from UnicodeError(
            "the body is UTF-16 or UTF-32: JSON must be UTF-8"
        )
    return head if len(head) < _JSON_HEAD else None
