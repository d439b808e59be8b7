"""`make run` and the app image start uvicorn without its own X-Forwarded-For trust: a local
client that rotates X-Forwarded-For keeps its one rate-limit budget (real uvicorn, real Redis)."""

import json
import re
import secrets
import shlex
import subprocess
from collections.abc import Iterator

import httpx
import pytest

from tests.support.uvicorn_server import ROOT, uvicorn_serving


def _make_run_arguments() -> list[str]:
    """The uvicorn arguments of `make run`, from the recipe make would execute."""
    recipe = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.replace("\\\n", " ")
    found = re.search(r"uvicorn (app\.main:app[^\"]*)\"", recipe)
    assert found, recipe
    return shlex.split(found[1])


def _image_arguments() -> list[str]:
    """The uvicorn arguments of the app image's CMD."""
    dockerfile = (ROOT / "docker_images" / "app" / "Dockerfile").read_text()
    found = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert found, dockerfile
    command: list[str] = json.loads(found[1])
    assert command[0] == "uvicorn"
    return command[1:]


def _without_address(arguments: list[str]) -> list[str]:
    """The same flags without host and port (the test picks them), and without --reload (its
    file watcher is not under test)."""
    kept: list[str] = []
    values = iter(arguments)
    for argument in values:
        if argument in ("--host", "--port", "--reload-dir"):
            next(values)
        elif argument != "--reload":
            kept.append(argument)
    return kept


@pytest.fixture(params=["make run", "app image"])
def uvicorn_url(request: pytest.FixtureRequest) -> Iterator[str]:
    arguments = _make_run_arguments() if request.param == "make run" else _image_arguments()
    env = {
        "ENVIRONMENT": "testing",
        "SERVICE_NAME": f"test-{secrets.token_hex(6)}",
        "RATE_LIMIT_REQUESTS": "2",
        "RATE_LIMIT_WINDOW_SECONDS": "60",
    }
    with uvicorn_serving(_without_address(arguments), env) as url:
        yield url


def test_a_rotated_x_forwarded_for_gives_no_fresh_budget(uvicorn_url: str) -> None:
    statuses = [
        httpx.get(f"{uvicorn_url}/v1/unknown", headers={"X-Forwarded-For": f"203.0.113.{n}"})
        for n in range(3)
    ]
    assert [response.status_code for response in statuses] == [404, 404, 429]
