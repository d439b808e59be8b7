"""The docs pages work offline and behind a Content-Security-Policy: every script, stylesheet
and icon they load comes from the app, under the API base path (over ASGI and through the
Lambda handler), and each page's policy allows only its origin and its own inline code.
tests/test_docs_in_browser.py drives them in Chromium."""

import base64
import hashlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import AppFactory, app_client
from tests.support.envelope import assert_envelope

PAGES = ("/docs", "/redoc", "/docs/oauth2-redirect")
ASSET_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
}


@dataclass
class Docs:
    client: httpx.AsyncClient
    base_path: str

    async def get(self, path: str, **headers: str) -> httpx.Response:
        """`path` as the browser asks for it: under the base path, or already carrying it."""
        if not path.startswith(f"{self.base_path}/"):
            path = f"{self.base_path}{path}"
        return await self.client.get(f"http://testserver{path}", headers=headers)


@pytest.fixture(
    params=[("asgi", ""), ("asgi", "/dev"), ("http_v2", "/dev")],
    ids=["asgi", "asgi-base-path", "lambda-base-path"],
)
async def docs(request: pytest.FixtureRequest, app_factory: AppFactory) -> AsyncIterator[Docs]:
    transport, base_path = request.param
    async with app_client(app_factory(api_base_path=base_path), transport) as client:
        yield Docs(client, base_path)


def _policy(response: httpx.Response) -> dict[str, set[str]]:
    directives = response.headers["content-security-policy"].split(";")
    return {name: set(sources) for name, *sources in (d.split() for d in directives)}


def _sha256(code: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()}'"


@pytest.mark.parametrize("page", PAGES)
async def test_a_page_loads_nothing_from_another_origin(docs: Docs, page: str) -> None:
    response = await docs.get(page)
    assert response.status_code == 200
    html = response.text
    assert not re.findall(r"https?://|//[a-z]", html), "an absolute URL: not offline"
    for url in re.findall(r'(?:src|href|spec-url)="([^"]+)"', html):
        assert url.startswith(f"{docs.base_path}/"), url
    # Swagger UI's configuration: the document and the OAuth2 redirect under the base path.
    if page == "/docs":
        assert f"url: '{docs.base_path}/openapi.json'" in html
        assert f"'{docs.base_path}/docs/oauth2-redirect'" in html


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_every_asset_of_a_page_is_served_by_the_app(docs: Docs, page: str) -> None:
    html = (await docs.get(page)).text
    assets = re.findall(r'(?:<script src|<link[^>]*href)="([^"]+)"', html)
    assert len(assets) >= 2
    for url in assets:
        response = await docs.get(url)
        assert response.status_code == 200, url
        suffix = url[url.rindex(".") :]
        assert response.headers["content-type"].startswith(ASSET_TYPES[suffix]), url
        assert len(response.content) > 1000, url
    # ReDoc's build asks for its logo beside the page.
    if page == "/redoc":
        logo = await docs.get("/redoc/logo-mini.svg")
        assert logo.status_code == 200
        assert logo.headers["content-type"] == "image/svg+xml"


@pytest.mark.parametrize("page", PAGES)
async def test_a_page_allows_its_origin_and_its_own_inline_code_only(docs: Docs, page: str) -> None:
    response = await docs.get(page)
    policy = _policy(response)
    inline_scripts = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    inline_styles = re.findall(r"<style>(.*?)</style>", response.text, re.DOTALL)

    assert policy["default-src"] == {"'none'"}
    assert policy["script-src"] == {"'self'", *map(_sha256, inline_scripts)}
    assert {"'self'", *map(_sha256, inline_styles)} <= policy["style-src"]
    assert policy["connect-src"] == {"'self'"}
    assert policy["img-src"] == {"'self'", "data:"}
    assert policy["frame-ancestors"] == policy["base-uri"] == {"'none'"}
    every_source = set().union(*policy.values())
    assert not every_source & {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"}
    # The Swagger UI page runs its configuration inline: allowed by hash, and only it.
    if page == "/docs":
        assert len(inline_scripts) == 1
        assert "SwaggerUIBundle(" in inline_scripts[0]


async def test_an_asset_seen_before_is_not_sent_again(docs: Docs) -> None:
    first = await docs.get("/docs/swagger-ui.css")
    again = await docs.get("/docs/swagger-ui.css", **{"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


async def test_an_unknown_asset_is_the_not_found_envelope(docs: Docs) -> None:
    for path in ("/docs/nothing.js", "/redoc/../../pyproject.toml", "/docs/%2e%2e/%2e%2e/x"):
        assert_envelope(await docs.get(path), 404, code=8002)


async def test_with_docs_off_no_page_or_asset_is_served(app_factory: AppFactory) -> None:
    async with app_client(app_factory(docs_enabled=False)) as client:
        for path in (*PAGES, "/openapi.json", "/docs/swagger-ui-bundle.js", "/redoc/logo-mini.svg"):
            assert_envelope(await client.get(path), 404, code=8002)
