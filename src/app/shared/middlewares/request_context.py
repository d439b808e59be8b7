"""Trace id for every request: sets the context, echoes `X-Request-ID`, writes the access log."""

from time import perf_counter

from loguru import logger
from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from app.shared.middlewares.base import HttpMiddleware
from app.shared.request_context import resolve_trace_id, trace_id_var
from app.shared.sentry import tag_trace_id


class RequestContextMiddleware(HttpMiddleware):
    async def handle_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        trace_id = resolve_trace_id(scope)
        token = trace_id_var.set(trace_id)
        tag_trace_id(trace_id)
        started = perf_counter()
        status = 500

        async def send_with_request_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["x-request-id"] = trace_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        finally:
            duration_ms = round((perf_counter() - started) * 1000, 2)
            logger.bind(
                logger="access",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=duration_ms,
            ).info("{} {} {} {}ms", scope["method"], scope["path"], status, duration_ms)
            trace_id_var.reset(token)
