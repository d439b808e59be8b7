"""`make run` started from outside, as a new user starts it: in a checkout of the repository,
on a free port and a data dir of its own, with no store URL and no settings of the suite's."""

import os
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from scripts.devstack import URL_VARS, free_ports


def new_user_environment(**settings: str) -> dict[str, str]:
    """The environment without the suite's store URLs and settings, plus `settings`."""
    unset = {*URL_VARS, "ENVIRONMENT", "PYTEST_CURRENT_TEST"}
    environment = {name: value for name, value in os.environ.items() if name not in unset}
    return environment | {"AUTH_ENABLED": "false"} | settings


def make_in(root: Path) -> list[str]:
    """`make` for `root`, taking its .venv as installed: a copy of the repository links this
    checkout's, and a `uv sync` from the copy would point its editable install at the copy."""
    return ["make", "--no-print-directory", "-o", str(root / ".venv" / ".synced")]


@contextmanager
def make_run(
    root: Path, data_dir: Path, environment: Mapping[str, str] | None = None
) -> Iterator[str]:
    """`make run` in `root` (whatever the developer's .env says), stopped as Ctrl-C stops it;
    its URL once `/health/ready` answers 200."""
    (port,) = free_ports()
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "make-run.log"
    command = [*make_in(root), "run", f"PORT={port}", f"DATA_DIR={data_dir}"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "ENV_FILE=/dev/null"],
            cwd=root,
            env=dict(environment or new_user_environment()),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while not _ready(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"make run did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C in its terminal
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health/ready", timeout=2).status_code == 200
    except httpx.TransportError:
        return False
