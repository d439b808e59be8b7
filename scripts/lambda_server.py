"""Serve a Lambda handler behind the Runtime Interface Emulator's invoke endpoint (also the
Lambda Invoke API's path for any function name), stdlib only."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import re
import signal
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import FrameType
from typing import Any

INVOKE_PATH = "/2015-03-31/functions/function/invocations"
# The Lambda Invoke API's path for any function name, ARN or qualifier, as the AWS SDKs call it
# (AWS_ENDPOINT_URL_LAMBDA pointed here): one handler answers them all.
_INVOKE_API_PATH = re.compile(r"/2015-03-31/functions/[^/]+/invocations")

Handler = Callable[[Any, Any], Any]
log = logging.getLogger("lambda_server")


@dataclass
class LocalLambdaContext:
    """The attributes of the Lambda runtime's context object, for one invocation."""

    aws_request_id: str
    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    log_group_name: str
    log_stream_name: str
    deadline_ms: int
    identity: None = None
    client_context: None = None

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.deadline_ms - int(time.time() * 1000))


def set_lambda_environment(name: str = "app-local") -> None:
    """The variables the Lambda runtime sets before it imports the handler, so the app sizes
    its pools and writes its logs as on Lambda. Values already set win."""
    region = os.environ.get("AWS_REGION", "us-east-1")
    defaults = {
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "3008",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "LAMBDA_TASK_ROOT": os.getcwd(),
    }
    for variable, value in defaults.items():
        os.environ.setdefault(variable, value)


def new_context() -> LocalLambdaContext:
    """A context like the runtime's, from the variables `set_lambda_environment` set."""
    name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
    timeout_s = float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "300"))
    return LocalLambdaContext(
        aws_request_id=str(uuid.uuid4()),
        function_name=name,
        function_version=os.environ["AWS_LAMBDA_FUNCTION_VERSION"],
        invoked_function_arn=f"arn:aws:lambda:{os.environ['AWS_REGION']}:000000000000:function:{name}",
        memory_limit_in_mb=int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]),
        log_group_name=os.environ["AWS_LAMBDA_LOG_GROUP_NAME"],
        log_stream_name=os.environ["AWS_LAMBDA_LOG_STREAM_NAME"],
        deadline_ms=int((time.time() + timeout_s) * 1000),
    )


def load_handler(dotted_path: str) -> Handler:
    module_name, _, attribute = dotted_path.rpartition(".")
    if not module_name:
        raise ValueError(f"handler must be module.attribute, got {dotted_path!r}")
    handler = getattr(importlib.import_module(module_name), attribute)
    if not callable(handler):
        raise TypeError(f"{dotted_path} is not callable")
    return handler  # type: ignore[no-any-return]


def error_payload(exc: BaseException, request_id: str) -> dict[str, Any]:
    """The body the Python runtime returns when the handler raises."""
    frames = exc.__traceback__.tb_next if exc.__traceback__ else None  # drop our own frame
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_tb(frames),
    }


class LambdaHTTPServer(HTTPServer):
    """Single-threaded on purpose: Mangum must run every invocation on the importing thread."""

    def __init__(self, address: tuple[str, int], handler: Handler) -> None:
        super().__init__(address, InvocationRequestHandler)
        self.lambda_handler = handler


class InvocationRequestHandler(BaseHTTPRequestHandler):
    server_version = "lambda-server/1.0"

    def do_POST(self) -> None:
        started = time.perf_counter()
        if not _INVOKE_API_PATH.fullmatch(self.path.split("?", 1)[0]):
            self._not_found(started)
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            event = json.loads(body)
        except ValueError as exc:
            invalid = {"errorMessage": f"invalid JSON event: {exc}", "errorType": "InvalidJSON"}
            self._reply(400, invalid, started)
            return
        context = new_context()
        try:
            result = self._lambda_handler()(event, context)
        except Exception as exc:
            # As the Invoke API: status 200, the error as the body, flagged by this header.
            crash = error_payload(exc, context.aws_request_id)
            self._reply(200, crash, started, context, function_error="Unhandled")
            return
        try:
            payload = json.dumps(result)
        except (TypeError, ValueError) as exc:
            error: dict[str, Any] = {
                "errorMessage": f"Unable to marshal response: {exc}",
                "errorType": "Runtime.MarshalError",
                "requestId": context.aws_request_id,
                "stackTrace": [],
            }
            self._reply(200, error, started, context, function_error="Unhandled")
            return
        self._send(200, payload.encode())
        self._log(200, started, context, "ok")

    def do_GET(self) -> None:
        self._not_found(time.perf_counter())

    def _not_found(self, started: float) -> None:
        error = {"errorMessage": f"unknown path {self.path}", "errorType": "NotFound"}
        self._reply(404, error, started)

    def _lambda_handler(self) -> Handler:
        assert isinstance(self.server, LambdaHTTPServer)
        return self.server.lambda_handler

    def _reply(
        self,
        status: int,
        payload: dict[str, Any],
        started: float,
        context: LocalLambdaContext | None = None,
        function_error: str | None = None,
    ) -> None:
        self._send(status, json.dumps(payload).encode(), function_error)
        self._log(status, started, context, payload["errorType"])

    def _send(self, status: int, body: bytes, function_error: str | None = None) -> None:
        self.send_response(status)
        if function_error is not None:
            self.send_header("X-Amz-Function-Error", function_error)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _log(
        self, status: int, started: float, context: LocalLambdaContext | None, outcome: str
    ) -> None:
        request_id = context.aws_request_id if context else "-"
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.info(
            "%s %s %d %.1fms request_id=%s %s",
            self.command,
            self.path,
            status,
            elapsed_ms,
            request_id,
            outcome,
        )

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: ``_log`` writes the one line per invocation instead."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100, help="0 picks a free port")
    parser.add_argument("--handler", default="app.main.handler", help="module.attribute")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    # Like the Lambda task root: modules in the working directory are importable.
    sys.path.insert(0, os.getcwd())
    set_lambda_environment()
    handler = load_handler(args.handler)
    server = LambdaHTTPServer((args.host, args.port), handler)
    signal.signal(signal.SIGTERM, _stop)
    host, port = server.server_address[:2]
    log.info("listening on http://%s:%d%s handler=%s", host, port, INVOKE_PATH, args.handler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
