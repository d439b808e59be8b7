"""The request's edge: API base path, trace id, the headers every response carries, the
request's one line (`app.core.lines`) with its route template and metrics.

One layer with one `send` wrapper, since each ASGI layer and header scan costs time on every
warm Lambda invocation. The API base path becomes the ASGI `root_path`: Starlette routes
`/dev/health` as `/health` when it is `/dev` (whole segments only), and a path that arrives
without the prefix (REST API events keep the stage out of `path`) routes unchanged, and the
prefix alone (`/dev`, an HTTP API stage's root) is the API's root, as `/dev/` is. Mangum always
sends root_path "" and FastAPI's `root_path=` argument is deprecated, so this is the one place
the prefix is applied, on Lambda and uvicorn.
"""

from time import perf_counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.context import subject_var, trace_id_var
from app.core.lines import log_access
from app.core.metrics import LineMetrics, current_line
from app.core.sentry import tag_trace_id
from app.http.request_context.route import RouteTemplates
from app.http.request_context.trace_id import resolve_trace_id

SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
# Dropped from the app's response: ours replace them (never duplicated), `server` just goes.
_REPLACED_HEADERS = frozenset({b"x-request-id", b"server", *(name for name, _ in SECURITY_HEADERS)})


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, root_path: str = "") -> None:
        self.app = app
        self.root_path = root_path
        self.routes = RouteTemplates()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope["root_path"] = self.root_path
            if self.root_path and scope["path"] == self.root_path:
                # Starlette would route what is left, "", as no path at all: a 404.
                scope["path"] = f"{self.root_path}/"
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        trace_id = resolve_trace_id(scope)
        token = trace_id_var.set(trace_id)
        # The authentication middleware (inside) names the subject; the access line reads it.
        subject = subject_var.set(None)
        line = LineMetrics()
        line_token = current_line.set(line)
        tag_trace_id(trace_id)
        request_id = (b"x-request-id", trace_id.encode("latin-1"))
        started = perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *(
                        pair
                        for pair in message.get("headers", ())
                        if pair[0] not in _REPLACED_HEADERS
                    ),
                    request_id,
                    *SECURITY_HEADERS,
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            latency_ms = round((perf_counter() - started) * 1000, 2)
            route = self.routes.template(scope)
            log_access(scope["method"], scope["path"], route, status, latency_ms, line)
            current_line.reset(line_token)
            subject_var.reset(subject)
            trace_id_var.reset(token)
