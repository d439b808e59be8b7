"""ASGI plumbing for middlewares that read the request body or hold back the response."""

from dataclasses import dataclass, field

from starlette.types import Message, Receive


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
