"""The docs pages in a real browser: headless Chromium (Debian's, driven by Playwright) against
`make run` and against `make lambda`'s HTTP API front with a stage, both with authentication on
and the dev issuer. Swagger UI lists every operation; "Try it out" on GET /v1/books answers 401
until "Authorize" is given `make token`'s output, then 200; ReDoc renders; no request leaves
127.0.0.1 and the Content-Security-Policy blocks nothing the pages do."""

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    Route,
    expect,
    sync_playwright,
)

from scripts.devstack import free_ports
from tests.support.make_server import ROOT, developer_environment, make_serving

CHROMIUM = shutil.which("chromium")  # the system's: Debian's package (make chromium)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = "127.0.0.1"
# Generous: a page of Swagger UI renders in about a second, much slower on a loaded machine.
TIMEOUT_MS = 60_000
# Records what the page's policy blocked, from before the page's own scripts run.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (violation) => window.cspViolations.push(
    `${violation.effectiveDirective} blocked ${violation.blockedURI} (${violation.sourceFile})`));
"""


@dataclass
class Served:
    """A running server: where its docs are, and the environment `make token` needs."""

    base_url: str
    env: dict[str, str]

    def token(self) -> str:
        result = subprocess.run(
            ["make", "--no-print-directory", "-s", "token"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()


@dataclass
class Browser:
    context: BrowserContext
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def open(self, url: str) -> Page:
        page = self.context.new_page()
        page.on("console", self._console)
        page.goto(url)
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)


def _serving(
    data_dir: Path, target: str, port_variable: str, base_path: str = ""
) -> Iterator[Served]:
    """`AUTH_ENABLED=true [API_BASE_PATH=...] make <target>` on free ports, PostgreSQL only;
    the dev issuer that make starts beside it signs `make token`'s tokens."""
    port, issuer_port = free_ports(2)
    env = developer_environment(
        AUTH_ENABLED="true",
        DEV_ISSUER_PORT=str(issuer_port),
        STORES="postgresql",
        API_BASE_PATH=base_path,
    )
    url = f"http://{LOOPBACK}:{port}{base_path}"
    command = [target, f"{port_variable}={port}", f"DATA_DIR={data_dir}"]
    with make_serving(command, env, f"{url}/health/ready", data_dir / "make.log"):
        yield Served(url, env)


@pytest.fixture(scope="module")
def make_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """uvicorn with reload, as a developer runs the API."""
    yield from _serving(tmp_path_factory.mktemp("docs-make-run"), "run", "PORT")


@pytest.fixture(scope="module")
def make_lambda(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The handler behind the HTTP API front, whose events carry the `dev` stage."""
    data_dir = tmp_path_factory.mktemp("docs-make-lambda")
    yield from _serving(data_dir, "lambda", "LAMBDA_PORT", "/dev")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    """Chromium with a fresh profile, every request recorded; one to another host is also
    refused, so a failing test never reaches out."""
    assert CHROMIUM, "the browser tests need the system's Chromium: make chromium"
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path / "profile",
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
        )
        context.set_default_timeout(TIMEOUT_MS)
        recorded = Browser(context)

        def only_loopback(route: Route, request: Request) -> None:
            if _host(request.url) == LOOPBACK:
                route.continue_()
            else:
                route.abort()

        context.on("request", lambda request: recorded.requests.append(request.url))
        context.route("**/*", only_loopback)
        context.add_init_script(RECORD_VIOLATIONS)
        try:
            yield recorded
        finally:
            context.close()


def _host(url: str) -> str | None:
    """The host a request goes to; a `blob:` URL names the page's own origin."""
    return urlsplit(url.removeprefix("blob:")).hostname


def _operations(base_url: str) -> set[tuple[str, str]]:
    document = httpx.get(f"{base_url}/openapi.json").json()
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


def _execute(operation: Locator, url: str) -> tuple[int, str | None]:
    """Press "Execute" in an operation's "Try it out" panel: the status of the answer, which
    Swagger UI shows, and the Authorization header the browser sent."""
    with operation.page.expect_response(lambda answer: answer.url.startswith(url)) as sent:
        operation.locator(".execute").click()
    status = sent.value.status
    shown = operation.locator(".live-responses-table tbody .response-col_status")
    expect(shown).to_have_text(str(status), timeout=TIMEOUT_MS)
    return status, sent.value.request.all_headers().get("authorization")


def _check_the_docs(served: Served, browser: Browser) -> None:
    base_url = served.base_url
    page = browser.open(f"{base_url}/docs")

    # Every operation of the document is listed.
    expected = _operations(base_url)
    page.locator(".opblock").nth(len(expected) - 1).wait_for()
    listed = page.eval_on_selector_all(
        ".opblock",
        """blocks => blocks.map(block => [
            block.querySelector(".opblock-summary-method").textContent,
            block.querySelector(".opblock-summary-path").dataset.path])""",
    )
    assert {(method, path) for method, path in listed} == expected

    # "Try it out" on GET /v1/books: 401 without a token.
    books = page.locator(".opblock-get").filter(
        has=page.locator('.opblock-summary-path[data-path="/v1/books"]')
    )
    books.locator(".opblock-summary").click()
    books.locator(".try-out__btn").click()
    assert _execute(books, f"{base_url}/v1/books") == (401, None)

    # "Authorize" with `make token`'s output: the same request answers 200.
    token = served.token()
    page.locator(".auth-wrapper .authorize").click()
    page.locator(".auth-container input").fill(token)
    page.locator(".auth-btn-wrapper .authorize").click()
    page.locator(".auth-btn-wrapper .btn-done").click()
    assert _execute(books, f"{base_url}/v1/books") == (200, f"Bearer {token}")
    violations = page.evaluate("window.cspViolations")

    # ReDoc renders the same document.
    redoc = browser.open(f"{base_url}/redoc")
    redoc.get_by_role("heading", name="List books").wait_for()
    violations += redoc.evaluate("window.cspViolations")

    assert not violations, (violations, browser.console_errors)
    assert browser.requests
    assert {_host(url) for url in browser.requests} == {LOOPBACK}, browser.requests


def test_docs_under_make_run(make_run: Served, browser: Browser) -> None:
    _check_the_docs(make_run, browser)


def test_docs_under_make_lambda_with_a_stage(make_lambda: Served, browser: Browser) -> None:
    _check_the_docs(make_lambda, browser)
    fetched = [url for url in browser.requests if not url.startswith("blob:")]
    assert all(urlsplit(url).path.startswith("/dev/") for url in fetched), fetched
