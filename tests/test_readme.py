"""README's "Try the API" and "Background work" are true: the table lists every route, and
the examples run as they are against `make run` (started here on a free port with its own
data dir) and answer what their comments say."""

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.settings.testing import TestingSettings as _Settings
from app.main import create_app
from tests.support.make_server import make_run
from tests.support.routes import operations_by_domain

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
SECTION = README.split("## Try the API", 1)[1].split("\n## ", 1)[0]


def _block(marker: str) -> str:
    """The bash block after the `<!-- marker: ... -->` comment."""
    return README.split(f"<!-- {marker}", 1)[1].split("```bash\n", 1)[1].split("\n```", 1)[0]


EXAMPLES = _block("try-the-api")
BACKGROUND = _block("background-work")
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
def make_run_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with make_run(ROOT, tmp_path_factory.mktemp("make-run")) as url:
        yield url


def run_as_written(block: str, url: str) -> subprocess.CompletedProcess[str]:
    assert f"API={DOCUMENTED_URL}\n" in block
    script = "set -euo pipefail\n" + block.replace(DOCUMENTED_URL, url)
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_the_examples_run_as_written(make_run_url: str) -> None:
    result = run_as_written(EXAMPLES, make_run_url)
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


def test_the_background_examples_run_as_written(make_run_url: str) -> None:
    # make run's own SQS server, queue and poller: the books queued appear within seconds.
    result = run_as_written(BACKGROUND, make_run_url)
    queued, listed = result.stdout.splitlines()
    assert '"data":{"queued":3}' in queued
    titles = re.findall(r'"title":"([^"]+)"', listed)
    assert titles == ["Foundation", "Foundation and Empire", "Second Foundation"], listed
    assert '"total":3,' in listed
