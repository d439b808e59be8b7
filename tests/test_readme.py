"""README's "Try the API" is true: its table lists every route, and its examples run as they
are against `make run` (started here on a free port with its own data dir) and answer what
their comments say."""

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.core.settings.testing import TestingSettings as _Settings
from app.main import create_app
from scripts.devstack import URL_VARS, free_ports
from tests.support.routes import operations_by_domain

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
SECTION = README.split("## Try the API", 1)[1].split("\n## ", 1)[0]
EXAMPLES = SECTION.split("<!-- try-the-api", 1)[1].split("```bash\n", 1)[1].split("\n```", 1)[0]
DOCUMENTED_URL = "http://127.0.0.1:9595"


def _table_routes() -> set[tuple[str, str]]:
    routes: set[tuple[str, str]] = set()
    for row in SECTION.splitlines():
        if not row.startswith("| `"):
            continue
        first_cell = row.split("|")[1]
        methods = re.findall(r"\b(GET|POST|PUT|PATCH|DELETE)\b", first_cell)
        (path,) = re.findall(r"(/[^` ]*)`", first_cell)
        routes.update((method, path) for method in methods)
    return routes


# The domains the template ships as examples: README's table lists their routes and the
# service's own. A domain of yours (`make module`) is listed by /docs and openapi.json instead.
EXAMPLE_DOMAINS = frozenset({"books", "reviews"})


def test_the_table_lists_every_route_of_the_service_and_the_examples() -> None:
    served = {
        operation
        for operation, domain in operations_by_domain(create_app(_Settings())).items()
        if domain is None or domain in EXAMPLE_DOMAINS
    }
    assert _table_routes() == served


@pytest.fixture(scope="module")
def make_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`make run` as a new user starts it: no store URL, no settings, default environment."""
    (port,) = free_ports()
    data_dir = tmp_path_factory.mktemp("make-run")
    unset = {*URL_VARS, "ENVIRONMENT", "PYTEST_CURRENT_TEST"}
    env = {name: value for name, value in os.environ.items() if name not in unset}
    env |= {"AUTH_ENABLED": "false", "ENV_FILE": "/dev/null"}  # whatever the developer's .env says
    log = (data_dir / "make-run.log").open("wb")
    command = ["make", "--no-print-directory", "run", f"PORT={port}", f"DATA_DIR={data_dir}"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/health/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"make run did not start:\n{(data_dir / 'make-run.log').read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C in its terminal
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_the_examples_run_as_written(make_run: str) -> None:
    assert f"API={DOCUMENTED_URL}\n" in EXAMPLES
    script = "set -euo pipefail\n" + EXAMPLES.replace(DOCUMENTED_URL, make_run)
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = iter(result.stdout.splitlines())
    book = next(lines)
    assert re.fullmatch(r"/v1/books/[0-9a-f-]{36}", book), result.stdout

    def then(pattern: str) -> str:
        """The next output line matching `pattern` (the lines between are left alone)."""
        for line in lines:
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} in:\n{result.stdout}")

    then(rf'"items":\[{{"id":"{book.rsplit("/", 1)[1]}","title":"Neuromancer".*\],"total":1,')
    for cache in ("MISS", "HIT"):
        then(r'^etag: "1"')
        then(rf"^x-cache: {cache}")
    then(r'"title":"Neuromancer \(Sprawl, book 1\)".*"version":2')
    then(r'"success":false.*"code":1003')
    then(r'"success":true.*"rating":5,"title":"A classic"')
    then(r'"count":1,"average_rating":5.0,"histogram":\{"1":0,"2":0,"3":0,"4":0,"5":1\}')
    then(r"^HTTP/1.1 201 Created")
    created = then(r"^location: /v1/books/")
    then(r"^HTTP/1.1 201 Created")
    assert then(r"^location: ") == created
    then(r"^idempotent-replayed: true")
    then(r"^HTTP/1.1 204 No Content")
    then(r'"success":false,"message":"Book not found".*"code":1001')
