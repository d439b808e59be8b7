"""httpx transports that send each request through a Lambda handler as a real-shaped event."""

from __future__ import annotations

import asyncio
import json
import threading
from base64 import b64decode
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx

from .lambda_events import Event, Shape, build_event, lambda_context

LambdaHandler = Callable[[Event, Any], Any]

_V2_SHAPES = ("http_v2", "function_url")
_handler_thread_ident: int | None = None


def _install_event_loop() -> None:
    global _handler_thread_ident
    _handler_thread_ident = threading.get_ident()
    asyncio.set_event_loop(asyncio.new_event_loop())


# Mangum 0.22 runs the app via asyncio.get_event_loop().run_until_complete() on every call, so
# it fails inside a running loop ("This event loop is already running"), in a thread with no
# set loop (anyio.to_thread workers; the main thread once asyncio.run() has unset its loop) and
# on a closed loop. Hence one long-lived thread owning one loop runs every invocation for all
# transports, like a Lambda sandbox's single thread, so loop-bound app state stays valid.
# ThreadPoolExecutor workers are never idle-reaped: one worker is that thread.
_EXECUTOR = ThreadPoolExecutor(
    max_workers=1, thread_name_prefix="lambda-handler", initializer=_install_event_loop
)


def _submit[T](func: Callable[[], T]) -> Future[T]:
    return _EXECUTOR.submit(func)


def run_on_handler_thread[T](func: Callable[[], T]) -> T:
    """Run ``func`` on the handler thread, e.g. to create the Mangum handler there."""
    if threading.get_ident() == _handler_thread_ident:
        return func()
    return _submit(func).result()


def invoke(handler: LambdaHandler, event: Event, context: Any = None) -> Any:
    """Invoke ``handler`` on the handler thread, as the Lambda runtime would."""
    ctx = context if context is not None else lambda_context()
    return run_on_handler_thread(lambda: handler(event, ctx))


class _LambdaTransportBase:
    def __init__(
        self,
        handler: LambdaHandler,
        shape: Shape = "http_v2",
        *,
        stage: str | None = None,
        authorizer: Mapping[str, Any] | None = None,
    ) -> None:
        self.handler = handler
        self.shape: Shape = shape
        self.stage = stage
        self.authorizer = authorizer

    def _event(self, request: httpx.Request, content: bytes) -> Event:
        url = request.url
        headers = request.headers.multi_items()
        names = {name for name, _ in headers}
        # What the proxy would tell the app about the original scheme and port.
        if "x-forwarded-proto" not in names:
            headers.append(("x-forwarded-proto", url.scheme))
        if "x-forwarded-port" not in names:
            port = url.port or (443 if url.scheme == "https" else 80)
            headers.append(("x-forwarded-port", str(port)))
        return build_event(
            self.shape,
            request.method,
            url.raw_path.split(b"?", 1)[0].decode("ascii"),
            query=url.query.decode("ascii"),
            headers=headers,
            body=_text_or_bytes(content),
            stage=self.stage,
            authorizer=self.authorizer,
        )

    def _response(self, request: httpx.Request, result: Any) -> httpx.Response:
        if self.shape in _V2_SHAPES and not (isinstance(result, dict) and "statusCode" in result):
            # Payload v2 treats any other JSON result as a 200 application/json body.
            result = {
                "statusCode": 200,
                "headers": {"content-type": "application/json"},
                "body": json.dumps(result),
            }
        return lambda_result_to_response(result, request)


class LambdaTransport(_LambdaTransportBase, httpx.AsyncBaseTransport):
    """Async transport: ``httpx.AsyncClient(transport=LambdaTransport(handler))``."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        event = self._event(request, await request.aread())
        context = lambda_context()
        result = await asyncio.wrap_future(_submit(lambda: self.handler(event, context)))
        return self._response(request, result)


class SyncLambdaTransport(_LambdaTransportBase, httpx.BaseTransport):
    """Sync transport: ``httpx.Client(transport=SyncLambdaTransport(handler))``."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        event = self._event(request, request.read())
        result = invoke(self.handler, event)
        return self._response(request, result)


def lambda_result_to_response(result: Event, request: httpx.Request) -> httpx.Response:
    """Turn a proxy-integration result into the HTTP response the client would see."""
    multi: dict[str, list[str]] = result.get("multiValueHeaders") or {}
    headers = [(name, str(value)) for name, values in multi.items() for value in values]
    seen = {(name.lower(), value) for name, value in headers}
    # API Gateway merges headers into multiValueHeaders; an identical pair appears once.
    for name, value in (result.get("headers") or {}).items():
        if (name.lower(), str(value)) not in seen:
            headers.append((name, str(value)))
    headers += [("set-cookie", cookie) for cookie in result.get("cookies") or []]
    body: str = result.get("body") or ""
    content = b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return httpx.Response(
        int(result["statusCode"]), headers=headers, content=content, request=request
    )


def _text_or_bytes(content: bytes) -> str | bytes | None:
    if not content:
        return None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content
