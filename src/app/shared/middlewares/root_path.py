"""Sets the ASGI `root_path` to the API base path, so /docs and /openapi.json work under a stage.

Starlette routes `/dev/health` as `/health` when root_path is `/dev` (whole segments only),
and a path that arrives without the prefix (REST API events keep the stage out of `path`)
routes unchanged. Mangum always sends root_path "" and FastAPI's `root_path=` argument is
deprecated, so this wrapper is the one place the prefix is applied, on Lambda and uvicorn.
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
