"""The interactive docs: Swagger UI at /docs and ReDoc at /redoc, under the API base path.

Their scripts, styles and icon are served by the app itself, from the copies that the
`fastapi-standalone-docs` package ships (Swagger UI, ReDoc and FastAPI's icon, each with its
licence; the version is locked in uv.lock), so the pages work offline, in a private network and
behind a strict Content-Security-Policy. Each page carries a policy that allows only what it
uses: its own origin, and its inline scripts and styles by hash.
"""

import base64
import hashlib
import re
from importlib.util import find_spec
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

DOCS_PATH = "/docs"
REDOC_PATH = "/redoc"
OAUTH2_REDIRECT_PATH = f"{DOCS_PATH}/oauth2-redirect"
# The package's folders, served where the package itself would mount them: its ReDoc build
# asks for its logo at `<page path>/logo-mini.svg`.
ICON_PATH = f"{DOCS_PATH}/fastapi"
_ASSETS = {ICON_PATH: "fastapi", DOCS_PATH: "swagger", REDOC_PATH: "redoc"}
_ASSETS_PACKAGE = "fastapi_standalone_docs"

# What the pages load besides their own inline code: the origin's assets, `data:` images
# (Swagger UI's stylesheet embeds its icons), the OpenAPI document and "Try it out" requests
# (same origin). No framing, no <base>, no form posts.
_COMMON_POLICY = (
    "default-src 'none'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
)
# The <style> elements ReDoc's script writes, by hash: an empty one that styled-components
# then fills through the CSSOM (which CSP does not govern), and its scrollbar's stylesheet. A
# ReDoc update that changes them shows in the browser test (tests/test_docs_in_browser.py): the
# browser's console names the hash it wants.
REDOC_RUNTIME_STYLES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
)
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_INLINE_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def install_docs(app: FastAPI) -> None:
    """Serve the pages and their assets; `app.openapi_url` is the document they show."""
    app.add_route(DOCS_PATH, swagger_ui_page, include_in_schema=False)
    app.add_route(OAUTH2_REDIRECT_PATH, oauth2_redirect_page, include_in_schema=False)
    app.add_route(REDOC_PATH, redoc_page, include_in_schema=False)
    for path, folder in _ASSETS.items():
        app.mount(path, PackagedAssets(folder))


async def swagger_ui_page(request: Request) -> HTMLResponse:
    app: FastAPI = request.app
    root = _root_path(request)
    page = get_swagger_ui_html(
        openapi_url=f"{root}{app.openapi_url}",
        title=f"{app.title} - Swagger UI",
        swagger_js_url=f"{root}{DOCS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{DOCS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ICON_PATH}/favicon.png",
        oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_PATH}",
        init_oauth=app.swagger_ui_init_oauth,
        swagger_ui_parameters=app.swagger_ui_parameters,
    )
    return with_content_security_policy(page)


async def oauth2_redirect_page(request: Request) -> HTMLResponse:
    """Where an OAuth2 authorization-code or implicit flow of Swagger UI lands."""
    return with_content_security_policy(get_swagger_ui_oauth2_redirect_html())


async def redoc_page(request: Request) -> HTMLResponse:
    app: FastAPI = request.app
    root = _root_path(request)
    page = get_redoc_html(
        openapi_url=f"{root}{app.openapi_url}",
        title=f"{app.title} - ReDoc",
        redoc_js_url=f"{root}{REDOC_PATH}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{ICON_PATH}/favicon.png",
        with_google_fonts=False,
    )
    # ReDoc runs its search index in a worker it starts from a blob: URL.
    return with_content_security_policy(
        page, runtime_styles=REDOC_RUNTIME_STYLES, directives=("worker-src blob:",)
    )


def with_content_security_policy(
    page: HTMLResponse, *, runtime_styles: tuple[str, ...] = (), directives: tuple[str, ...] = ()
) -> HTMLResponse:
    """`page` with a policy allowing the origin's scripts and styles plus exactly its own
    inline ones, by their SHA-256 (a page that changes gets the hashes of what it now says),
    and the `runtime_styles` its scripts write into <style> elements."""
    html = bytes(page.body).decode()
    scripts = " ".join(_hash_source(code) for code in _INLINE_SCRIPT.findall(html))
    inline_styles = [_hash_source(code) for code in _INLINE_STYLE.findall(html)]
    styles = " ".join([*inline_styles, *runtime_styles])
    policy = (
        *_COMMON_POLICY,
        f"script-src 'self' {scripts}".rstrip(),
        f"style-src 'self' {styles}".rstrip(),
        *directives,
    )
    page.headers["Content-Security-Policy"] = "; ".join(policy)
    return page


def _hash_source(code: str) -> str:
    digest = hashlib.sha256(code.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def _root_path(request: Request) -> str:
    root_path: str = request.scope.get("root_path", "")
    return root_path.rstrip("/")


class PackagedAssets:
    """One folder of the assets package as static files (ETag, Last-Modified, 304), found
    and set up on its first request."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._files: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._files is None:
            from starlette.staticfiles import StaticFiles

            self._files = StaticFiles(directory=_assets_root() / self.folder)
        await self._files(scope, receive, send)


def _assets_root() -> Path:
    # Located without importing it: the package's own code patches FastAPI, and is not used.
    spec = find_spec(_ASSETS_PACKAGE)
    assert spec is not None  # a runtime dependency
    assert spec.origin is not None
    return Path(spec.origin).parent / "static"
