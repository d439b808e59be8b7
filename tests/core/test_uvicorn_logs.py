"""Under a real uvicorn (as `make run` and the app container start it): one access line per
request, with or without `--no-access-log`."""

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from scripts.devstack import free_ports


@pytest.mark.parametrize("flags", [["--no-access-log"], []])
def test_each_request_is_logged_once(flags: list[str]) -> None:
    (port,) = free_ports()
    env = {**os.environ, "ENVIRONMENT": "testing", "LOG_LEVEL": "INFO", "LOG_JSON": "false"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port), *flags],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as reply:
                    assert reply.status == 200
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert sum("GET /health" in line for line in err.splitlines()) == 1, err
