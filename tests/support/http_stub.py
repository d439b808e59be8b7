"""A real HTTP server on a free loopback port that records requests and answers with JSON,
or passes them on to another server (`http_forwarder`).

Stands in for services outside this machine (Sentry ingestion, the AWS Parameters and
Secrets extension, the container credentials endpoint); never for a database.
"""

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HttpStub:
    port: int
    requests: list[RecordedRequest] = field(default_factory=list)


Responder = Callable[[RecordedRequest], tuple[int, object]]
# Answers a recorded request through its handler.
Answer = Callable[[BaseHTTPRequestHandler, RecordedRequest], None]


def http_stub(respond: Responder) -> AbstractContextManager[HttpStub]:
    """Answers each request with the status and JSON `respond` returns for it."""
    return _recording(lambda handler, recorded: send_json(handler, *respond(recorded)))


def http_forwarder(upstream: str) -> AbstractContextManager[HttpStub]:
    """Passes every request on to `upstream` (e.g. moto's server) and its answer back: what
    the app sent, seen from outside it."""
    return _recording(partial(_pass_on, upstream))


@contextmanager
def _recording(answer: Answer) -> Iterator[HttpStub]:
    stub = HttpStub(port=0)

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            recorded = RecordedRequest(
                method=self.command,
                path=self.path,
                headers={name.lower(): value for name, value in self.headers.items()},
                body=self.rfile.read(length),
            )
            stub.requests.append(recorded)
            answer(self, recorded)

        do_GET = _handle
        do_POST = _handle

        def log_message(self, format: str, *args: object) -> None:
            return None

    with serving(Handler) as stub.port:
        yield stub


def _pass_on(upstream: str, handler: BaseHTTPRequestHandler, recorded: RecordedRequest) -> None:
    passed_on = urllib.request.Request(
        upstream + recorded.path, data=recorded.body or None, method=recorded.method
    )
    for name, value in recorded.headers.items():
        if name not in {"host", "content-length", "connection"}:
            passed_on.add_header(name, value)
    try:
        with urllib.request.urlopen(passed_on, timeout=10) as answer:
            status, body, headers = answer.status, answer.read(), answer.headers
    except urllib.error.HTTPError as error:
        status, body, headers = error.code, error.read(), error.headers
    handler.send_response(status)
    handler.send_header("Content-Type", headers.get("content-type", "text/plain"))
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def send_json(handler: BaseHTTPRequestHandler, status: int, payload: object) -> None:
    body = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    """`handler` on a free loopback port, served from a background thread; yields the port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True  # a request still waiting (a long poll) never holds up the exit
    # A short poll: shutting down waits for it, and tests start and stop many servers.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
