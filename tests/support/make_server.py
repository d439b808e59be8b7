"""A server the way a developer starts it (`make run`, `make lambda`): as a new user would, on
free ports with a data dir of its own, stopped as Ctrl-C in its terminal stops it."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

from scripts.devstack import URL_VARS, free_ports

ROOT = Path(__file__).resolve().parents[2]
# What the suite's own process has set and a developer's shell would not.
_SUITE_ONLY = frozenset(
    {
        *URL_VARS,
        "ENVIRONMENT",
        "PYTEST_CURRENT_TEST",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_SQS",
        "BOOKS_IMPORT_QUEUE_URL",
    }
)


def developer_environment(**settings: str) -> dict[str, str]:
    """This environment less the suite's own settings (so embedded stores start, in the default
    environment), whatever the developer's .env says, plus `settings`."""
    env = {name: value for name, value in os.environ.items() if name not in _SUITE_ONLY}
    return env | {"ENV_FILE": "/dev/null"} | settings


# The suite's venv (.venv, or .venv-3.13 with PYTHON_VERSION=3.13): make's VENV in `root`.
VENV_NAME = Path(sys.prefix).name


def make_in(root: Path) -> list[str]:
    """`make` for `root`, taking its venv as installed: a copy of the repository links this
    checkout's, and a `uv sync` from the copy would point its editable install at the copy."""
    return ["make", "--no-print-directory", "-o", str(root / VENV_NAME / ".synced")]


@contextmanager
def make_serving(
    command: list[str],
    env: Mapping[str, str],
    ready_url: str,
    log_path: Path,
    root: Path = ROOT,
) -> Iterator[None]:
    """Run `make <command>` in `root` (this repository or a copy of it); return once
    `ready_url` answers 200."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*make_in(root), *command],
            cwd=root,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(ready_url, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"make {command[0]} did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield
    finally:
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C in its terminal
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def make_run(
    root: Path, data_dir: Path, environment: Mapping[str, str] | None = None
) -> Iterator[str]:
    """`make run` in `root` on a free port and `data_dir`, as a new user starts it (auth off
    unless `environment` says otherwise); its URL once `/health/ready` answers 200."""
    (port,) = free_ports()
    data_dir.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}"
    env = environment or developer_environment(AUTH_ENABLED="false")
    command = ["run", f"PORT={port}", f"DATA_DIR={data_dir}", "ENV_FILE=/dev/null"]
    with make_serving(command, env, f"{url}/health/ready", data_dir / "make-run.log", root):
        yield url
