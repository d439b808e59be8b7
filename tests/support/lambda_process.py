"""A Lambda handler of the app behind scripts/lambda_server.py in its own process: the Lambda
Invoke API on a free loopback port, for clients that call Lambda through the AWS SDK."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from scripts.devstack import URL_VARS, free_ports
from tests.support.processes import stop

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def lambda_serving(
    env: Mapping[str, str], log: Path, handler: str = "app.main.handler"
) -> Iterator[str]:
    """Serve `handler` with this environment (the store URLs only as given here), its output in
    `log`; yield the endpoint URL once it accepts connections; stop it afterwards."""
    (port,) = free_ports()
    server = ROOT / "scripts" / "lambda_server.py"
    inherited = {name: value for name, value in os.environ.items() if name not in URL_VARS}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, str(server), "--port", str(port), "--handler", handler],
            cwd=ROOT / "src",
            env={**inherited, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise RuntimeError(f"lambda_server did not start:\n{log.read_text()}") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
