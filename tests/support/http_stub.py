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
from contextlib import contextmanager
from dataclasses import dataclass, field
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


@contextmanager
def http_stub(respond: Responder) -> Iterator[HttpStub]:
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
            send_json(self, *respond(recorded))

        do_GET = _handle
        do_POST = _handle

        def log_message(self, format: str, *args: object) -> None:
            return None

    with serving(Handler) as stub.port:
        yield stub


@contextmanager
def http_forwarder(upstream: str) -> Iterator[HttpStub]:
    """Passes every request on to `upstream` (e.g. moto's server) and its answer back, and
    records the requests: what the app sent, seen from outside it."""
    stub = HttpStub(port=0)

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            headers = {name.lower(): value for name, value in self.headers.items()}
            recorded = RecordedRequest(self.command, self.path, headers, self.rfile.read(length))
            stub.requests.append(recorded)
            passed_on = urllib.request.Request(
                upstream + self.path, data=recorded.body or None, method=self.command
            )
            for name, value in headers.items():
                if name not in {"host", "content-length", "connection"}:
                    passed_on.add_header(name, value)
            try:
                with urllib.request.urlopen(passed_on, timeout=10) as answer:
                    status, body, content_type = answer.status, answer.read(), answer.headers
            except urllib.error.HTTPError as error:
                status, body, content_type = error.code, error.read(), error.headers
            self.send_response(status)
            self.send_header("Content-Type", content_type.get("content-type", "text/plain"))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = _handle
        do_POST = _handle

        def log_message(self, format: str, *args: object) -> None:
            return None

    with serving(Handler) as stub.port:
        yield stub


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
