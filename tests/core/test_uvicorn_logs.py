"""Under a real uvicorn (as `make run` and the app container start it): one access line per
request, with or without `--no-access-log`."""

from pathlib import Path

import pytest

from tests.support.uvicorn_server import uvicorn_serving


@pytest.mark.parametrize("flags", [["--no-access-log"], []])
def test_each_request_is_logged_once(flags: list[str], tmp_path: Path) -> None:
    log = tmp_path / "uvicorn.log"
    env = {"ENVIRONMENT": "testing", "LOG_LEVEL": "INFO", "LOG_JSON": "false"}
    with uvicorn_serving(["app.main:app", *flags], env, log=log):
        pass  # one GET /health: the one that found it serving
    output = log.read_text()
    assert sum("GET /health" in line for line in output.splitlines()) == 1, output
