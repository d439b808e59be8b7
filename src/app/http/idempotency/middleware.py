"""Idempotency-Key on the routes that declare it: the first request runs, retries replay it.

Given the declared routes (`idempotent_routes`). Added innermost, inside the body size
limit, so it fingerprints a bounded body and sees exactly the response the route produced;
an exception escaping the route releases the claim and is answered by the outer middlewares.
"""

from collections.abc import Awaitable, Sequence

from loguru import logger
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from app.http.asgi import (
    BufferedResponse,
    raising_receive,
    read_body,
    replaying_receive,
    route_path,
)
from app.http.errors.exceptions import BadRequestError, BaseApiRestException, error_response
from app.http.idempotency.records import (
    IDEMPOTENCY_KEY_HEADER,
    IdempotencyRecord,
    StoredResponse,
    fingerprint,
    key_in_flight,
    key_reused,
    parse_key,
    record_id,
)
from app.http.idempotency.route import IdempotentRoute
from app.http.idempotency.store import IdempotencyStore
from app.http.request_context.client_identity import client_identity


class IdempotencyMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        store: IdempotencyStore,
        routes: Sequence[IdempotentRoute],
        trusted_proxy_hops: int,
    ) -> None:
        self.app = app
        self.store = store
        self.routes = routes
        self.trusted_proxy_hops = trusted_proxy_hops

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self._route(scope) if scope["type"] == "http" else None
        keys = (
            [value for name, value in scope["headers"] if name == b"idempotency-key"]
            if route
            else []
        )
        if route is None or not keys:
            await self.app(scope, receive, send)
            return
        try:
            body = await read_body(receive)
        except HTTPException as too_large:
            # Over the body size limit: the route reads the body again and answers the 413.
            await self.app(scope, raising_receive(too_large), send)
            return
        if body is None:
            return  # the client left before sending its body
        try:
            if len(keys) > 1:
                raise BadRequestError(f"Send one {IDEMPOTENCY_KEY_HEADER} header")
            key = parse_key(keys[0].decode("latin-1"))
            record = record_id(client_identity(scope, self.trusted_proxy_hops), route, key)
            request = fingerprint(scope["method"], route_path(scope), scope["query_string"], body)
            existing = await self.store.claim(record, request)
            if existing is not None and existing.fingerprint != request:
                raise key_reused()
            if existing is not None and existing.response is None:
                raise key_in_flight()
        except BaseApiRestException as error:
            await error_response(error)(scope, receive, send)
            return
        if existing is not None and existing.response is not None:
            await existing.response.replay()(scope, receive, send)
            return
        await self._run_first(scope, replaying_receive(body, receive), send, record, request)

    async def _run_first(
        self, scope: Scope, receive: Receive, send: Send, record: str, request: str
    ) -> None:
        # Held back until recorded, so a client that saw the response can only get a replay.
        response = BufferedResponse()
        try:
            await self.app(scope, receive, response.send)
        except Exception:
            await _settle(self.store.release(record))
            raise
        if response.status >= 500:
            await _settle(self.store.release(record))  # failed: a retry may run again
        else:
            stored = IdempotencyRecord(fingerprint=request, response=StoredResponse.of(response))
            await _settle(self.store.complete(record, stored))
        for message in response.messages:
            await send(message)

    def _route(self, scope: Scope) -> str | None:
        path = route_path(scope)
        for route in self.routes:
            if scope["method"] == route.method and route.path.match(path):
                return route.name
        return None


async def _settle(update: Awaitable[None]) -> None:
    """The route's response stands even when the store fails to record it."""
    try:
        await update
    except BaseApiRestException as error:
        logger.warning("Idempotency record not updated: {}", error.message)
