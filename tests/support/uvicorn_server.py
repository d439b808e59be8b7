"""The app under a real uvicorn on a free loopback port, for tests that need a served process."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from scripts.devstack import free_ports
from tests.support.processes import stop

ROOT = Path(__file__).resolve().parents[2]
UVICORN = Path(sys.executable).with_name("uvicorn")


@contextmanager
def uvicorn_serving(
    arguments: Sequence[str], env: Mapping[str, str], *, log: Path | None = None
) -> Iterator[str]:
    """Run `uvicorn <arguments> --host 127.0.0.1 --port <free>` from src/ with `env` added to
    this environment; yield its URL once /health answers; stop it afterwards. Its output goes
    to `log` (else nowhere, and stderr is shown if it fails to start)."""
    (port,) = free_ports()
    command = [str(UVICORN), *arguments, "--host", "127.0.0.1", "--port", str(port)]
    with ExitStack() as files:
        output = files.enter_context(log.open("wb")) if log is not None else subprocess.DEVNULL
        process = subprocess.Popen(
            command,
            cwd=ROOT / "src",
            env={**os.environ, **env},
            stdout=output,
            stderr=output if log is not None else subprocess.PIPE,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/health", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    _, stderr = process.communicate()
                    shown = log.read_text() if log is not None else (stderr or b"").decode()
                    raise RuntimeError(f"uvicorn did not start:\n{shown}") from None
                time.sleep(0.1)
        yield url
    finally:
        stop(process)
