"""Sets the ASGI `root_path` to the API base path, so /docs and /openapi.json work under a stage.

Mangum strips the base path from `path` and always sends `root_path` "", and FastAPI's own
`root_path=` argument is deprecated; this wrapper is the one place the prefix is applied.
"""

from starlette.types import ASGIApp, Receive, Scope, Send


class RootPathMiddleware:
    def __init__(self, app: ASGIApp, root_path: str) -> None:
        self.app = app
        self.root_path = root_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope["root_path"] = self.root_path
        await self.app(scope, receive, send)
