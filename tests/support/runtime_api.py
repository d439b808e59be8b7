"""A stand-in for the Lambda Runtime API (the endpoints a runtime client polls and posts to),
on a free loopback port: the test queues events, the runtime client under test answers them.
A SnapStart init ends with the client asking to be restored: `on_snapshot` runs then (Lambda
takes the snapshot at that point), before the stand-in answers and the client is restored."""

import json
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.http_stub import send_json, serving

PREFIX = "/2018-06-01/runtime"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:app-ric"


@dataclass(frozen=True)
class Outcome:
    """What the runtime client posted: `kind` is response, error or init_error."""

    kind: str
    body: Any
    error_type: str | None


@dataclass
class RuntimeApi:
    port: int = 0
    events: "queue.Queue[tuple[str, bytes]]" = field(default_factory=queue.Queue)
    outcomes: "queue.Queue[tuple[str, Outcome]]" = field(default_factory=queue.Queue)
    on_snapshot: Callable[[], None] = lambda: None

    def invoke(self, event: object, timeout: float = 60) -> Outcome:
        """Queue `event` for the runtime client and wait for its answer."""
        request_id = str(uuid.uuid4())
        self.events.put((request_id, json.dumps(event).encode()))
        return self.outcome(request_id, timeout)

    def outcome(self, request_id: str, timeout: float = 60) -> Outcome:
        answered_id, outcome = self.outcomes.get(timeout=timeout)
        assert answered_id == request_id, (answered_id, outcome)
        return outcome


@contextmanager
def runtime_api() -> Iterator[RuntimeApi]:
    api = RuntimeApi()
    stopping = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # the runtime client keeps its connection open

        def do_GET(self) -> None:
            if self.path == f"{PREFIX}/restore/next":
                api.on_snapshot()
                send_json(self, 200, {})
                return
            if self.path != f"{PREFIX}/invocation/next":
                send_json(self, 404, {"errorMessage": self.path})
                return
            while not stopping.is_set():
                try:
                    request_id, event = api.events.get(timeout=0.2)
                except queue.Empty:
                    continue
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", request_id)
                self.send_header(
                    "Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 60_000)
                )
                self.send_header("Lambda-Runtime-Invoked-Function-Arn", FUNCTION_ARN)
                self.send_header("Lambda-Runtime-Trace-Id", f"Root=1-{uuid.uuid4().hex[:24]}")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(event)))
                self.end_headers()
                self.wfile.write(event)
                return

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = self.path.removeprefix(PREFIX)
            error_type = self.headers.get("Lambda-Runtime-Function-Error-Type")
            parts = path.strip("/").split("/")
            if parts == ["init", "error"]:
                api.outcomes.put(("init", Outcome("init_error", json.loads(body), error_type)))
            elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                api.outcomes.put((parts[1], Outcome(parts[2], json.loads(body), error_type)))
            else:
                send_json(self, 404, {"errorMessage": self.path})
                return
            send_json(self, 202, {"status": "OK"})

        def log_message(self, format: str, *args: object) -> None:
            return None

    with serving(Handler) as api.port:
        try:
            yield api
        finally:
            stopping.set()  # ends a long poll still waiting for an event
