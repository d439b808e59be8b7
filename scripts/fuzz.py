"""`make fuzz`: schemathesis against the app, checking the OpenAPI document says exactly what
the API does.

Starts uvicorn with authentication on (a dev issuer on loopback signs a token with every
scope), then runs every schemathesis check through its examples, coverage, fuzzing and
stateful phases (the stateful one follows the documented links from a created resource to
the operations on it), with bounded examples and the settings of schemathesis.toml (its
hooks). Each run draws a new seed and prints it; `--seed N` replays a run. Needs the store URLs
in the environment (`make fuzz` starts embedded stores for the unset ones); PostgreSQL is
migrated to head first; the queues the routes send to are on a local SQS server (moto's) of
its own. Exits with schemathesis' status: non-zero on any failure.
"""

import argparse
import logging
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts import dev_issuer  # noqa: E402
from scripts.devstack import free_ports  # noqa: E402
from scripts.local_queues import create_consumer_queues, queue_urls  # noqa: E402

PHASES = "examples,coverage,fuzzing,stateful"


def wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the app did not start ({url})") from None
            time.sleep(0.1)


@contextmanager
def local_queues() -> Iterator[dict[str, str]]:
    """moto's SQS server with the consumers' queues, and the variables that point the app at
    them: a route that queues work answers 202 (nothing consumes the messages)."""
    from moto.server import ThreadedMotoServer

    from app.core import aws

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per SQS call otherwise
    (port,) = free_ports()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    sdk = {
        "AWS_ENDPOINT_URL_SQS": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "fuzz",
        "AWS_SECRET_ACCESS_KEY": "fuzz",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    os.environ.update(sdk)
    try:
        queues = create_consumer_queues(aws.sqs(), visibility_timeout=30, max_receive_count=3)
        yield {**sdk, **queue_urls(queues)}
    finally:
        aws.forget_clients()
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=25, help="per operation and phase")
    parser.add_argument("--seed", type=int, help="replay a run (default: a new seed)")
    args, passed_on = parser.parse_known_args(argv)
    seed = secrets.randbelow(2**32) if args.seed is None else args.seed
    print(f"fuzz: seed {seed} (replay: make fuzz FUZZ_ARGS='--seed {seed}')", flush=True)
    missing = [
        var for var in ("POSTGRESQL_URL", "MONGO_URL", "REDIS_URL") if not os.environ.get(var)
    ]
    if missing:
        print(f"fuzz: set {', '.join(missing)} (make fuzz starts embedded stores)", file=sys.stderr)
        return 2
    app_port, issuer_port = free_ports(2)
    with tempfile.TemporaryDirectory(prefix="fuzz-") as scratch, local_queues() as queues:
        key = dev_issuer.private_key(Path(scratch) / "issuer.pem")
        issuer = dev_issuer.serve(key, issuer_port)
        threading.Thread(target=issuer.serve_forever, daemon=True).start()
        token = dev_issuer.mint(
            key, port=issuer_port, subject="fuzzer", scopes=dev_issuer.every_scope()
        )
        env = {
            **os.environ,
            "ENVIRONMENT": "testing",
            "LOG_LEVEL": "WARNING",
            "AUTH_ENABLED": "true",
            "AUTH_ISSUER": dev_issuer.issuer_url(issuer_port),
            "AUTH_AUDIENCE": dev_issuer.AUDIENCE,
            "RATE_LIMIT_REQUESTS": "0",
            **queues,
        }
        # The PostgreSQL given may be new (make fuzz's embedded one is): at head first, as make
        # run does, or every PostgreSQL route would answer 500.
        migrate = [sys.executable, "-m", "app.db.postgresql.migrate"]
        subprocess.run(migrate, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        command = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(app_port)]
        server = subprocess.Popen([*command, "--no-access-log"], env=env, cwd=ROOT)
        try:
            base = f"http://127.0.0.1:{app_port}"
            wait_until_up(f"{base}/health", server)
            fuzzing = subprocess.run(
                [
                    *(sys.executable, "-m", "schemathesis.cli"),
                    *("--config-file", str(ROOT / "schemathesis.toml")),
                    *("run", f"{base}/openapi.json"),
                    *("--checks", "all", "--phases", PHASES, "--workers", "1"),
                    *("--max-examples", str(args.max_examples), "--seed", str(seed)),
                    *("--header", f"Authorization: Bearer {token}", "--no-color"),
                    *passed_on,
                ],
                env={**env, "PYTHONPATH": str(ROOT)},
                cwd=scratch,
                check=False,
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
            issuer.shutdown()
            issuer.server_close()
    return fuzzing.returncode


if __name__ == "__main__":
    sys.exit(main())
