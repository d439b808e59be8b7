"""`make load`: a bounded load test of the app under uvicorn on loopback.

Starts the stores (from the environment, else embedded), migrates, inserts one book, starts
uvicorn with production settings (authentication and the rate limit off, so both endpoints
measure the app and its stores), then drives `GET /health` and `GET /v1/books/{id}` in turn
from keep-alive connections and prints requests per second, p50 and p99 latency, errors and
the server's resident memory. `--requests N` instead sends N requests per endpoint, to watch
memory over a long run.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from run import BOOK_PATH, prepare_database, stores
from scripts.devstack import free_ports

ROOT = Path(__file__).resolve().parents[1]
ENDPOINTS = {"/health": "/health", "GET book": BOOK_PATH}


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    rss_before_kib: int = 0
    rss_after_kib: int = 0

    def report(self) -> str:
        count = len(self.latencies)
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered) * 1000 if ordered else 0.0
        p99 = ordered[int(count * 0.99) - 1] * 1000 if count >= 100 else float("nan")
        growth = self.rss_after_kib - self.rss_before_kib
        return (
            f"{self.name:<10} {count / self.seconds:>8.0f} req/s  p50 {p50:6.2f} ms  "
            f"p99 {p99:6.2f} ms  errors {self.errors:>4}  requests {count:>7}  "
            f"RSS {self.rss_before_kib / 1024:6.1f} -> {self.rss_after_kib / 1024:6.1f} MiB "
            f"({growth / 1024:+.1f})"
        )


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def connection(
    port: int, path: str, phase: Phase, stop_at: float, remaining: list[int]
) -> None:
    """One keep-alive connection sending requests back to back until the phase ends."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < stop_at and remaining[0] > 0:
            remaining[0] -= 1
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            phase.latencies.append(time.perf_counter() - started)
            if status != 200:
                phase.errors += 1
    except (OSError, asyncio.IncompleteReadError):
        phase.errors += 1
    finally:
        writer.close()


async def drive(
    port: int, pid: int, phase: Phase, seconds: float, requests: int, conns: int
) -> None:
    remaining = [requests]
    phase.rss_before_kib = rss_kib(pid)
    began = time.monotonic()
    stop_at = began + seconds
    await asyncio.gather(
        *(connection(port, ENDPOINTS[phase.name], phase, stop_at, remaining) for _ in range(conns))
    )
    phase.seconds = time.monotonic() - began
    phase.rss_after_kib = rss_kib(pid)


def wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("uvicorn did not start; see its log") from None
            time.sleep(0.1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="per endpoint (default 15)")
    parser.add_argument("--requests", type=int, help="per endpoint instead of a duration")
    parser.add_argument("--connections", type=int, default=16, help="keep-alive connections")
    args = parser.parse_args(argv)
    seconds = float("inf") if args.requests else args.seconds
    requests = args.requests or sys.maxsize
    with tempfile.TemporaryDirectory(prefix="load-") as scratch, stores() as urls:
        prepare_database(urls["POSTGRESQL_URL"])
        (port,) = free_ports()
        env = {
            **os.environ,
            **urls,
            "ENVIRONMENT": "production",
            "AUTH_ENABLED": "false",
            "RATE_LIMIT_REQUESTS": "0",
        }
        log = Path(scratch) / "uvicorn.log"
        command = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port)]
        command += ["--no-proxy-headers", "--log-level", "warning"]
        with log.open("wb") as output:
            server = subprocess.Popen(command, env=env, stdout=output, stderr=output, cwd=ROOT)
        try:
            wait_until_up(port, server)
            for name in ENDPOINTS:  # warm-up: lazy imports, pools, caches
                asyncio.run(drive(port, server.pid, Phase(name), 60, 2000, args.connections))
            phases = [Phase(name) for name in ENDPOINTS]
            for phase in phases:
                asyncio.run(drive(port, server.pid, phase, seconds, requests, args.connections))
        finally:
            server.terminate()
            server.wait(timeout=30)
        print(f"uvicorn, 1 worker, {args.connections} keep-alive connections, loopback")
        for phase in phases:
            print(phase.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
