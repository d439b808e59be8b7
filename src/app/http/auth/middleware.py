"""Authentication under the API prefix (/v1): every request there needs a caller.

Added outside the rate limit and the idempotency middleware, so both key their records by the
caller's subject. Routes then check the scopes they declare (`route.py`). Public paths (`/`,
`/health`, the docs) never reach a token check, so they make no network call.
"""

from starlette.authentication import AuthCredentials
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.context import subject_var
from app.core.settings import Settings
from app.http.asgi import HttpMiddleware, route_path, under_prefix
from app.http.auth.authenticate import authenticate
from app.http.errors.exceptions import BaseApiRestException, error_response


class AuthenticationMiddleware(HttpMiddleware):
    def __init__(self, app: ASGIApp, settings: Settings, path_prefix: str) -> None:
        super().__init__(app)
        self.settings = settings
        self.path_prefix = path_prefix

    async def handle_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not under_prefix(route_path(scope), self.path_prefix):
            await self.app(scope, receive, send)
            return
        try:
            caller = await authenticate(scope, self.settings)
        except BaseApiRestException as error:
            await error_response(error)(scope, receive, send)
            return
        scope["user"] = caller
        scope["auth"] = AuthCredentials(sorted(caller.scopes))
        subject_var.set(caller.subject)  # the request-context middleware resets it
        await self.app(scope, receive, send)
