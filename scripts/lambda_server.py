"""Serve a Lambda handler locally, stdlib only, two ways on one port:

- the Runtime Interface Emulator's invoke endpoint (POST INVOKE_PATH, body = event, response =
  the handler's result), also the Lambda Invoke API's path for any function name, ARN or
  qualifier, as the AWS SDKs call it (AWS_ENDPOINT_URL_LAMBDA pointed here);
- every other request, as API Gateway's HTTP API would pass it on: turned into a payload 2.0
  event of the stage (`--stage`, default from API_BASE_PATH) and answered from the handler's
  result, as `sam local start-api` does but without Docker. A browser can use /dev/docs.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import importlib
import json
import logging
import os
import queue
import re
import signal
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any
from urllib.parse import parse_qsl, unquote

FUNCTIONS_PATH = "/2015-03-31/functions/"
INVOKE_PATH = f"{FUNCTIONS_PATH}function/invocations"
DEFAULT_STAGE = "$default"
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})
# Request bodies an HTTP API passes as text; any other is base64-encoded.
TEXT_TYPES = re.compile(
    r"text/|application/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml)", re.I
)
# The Lambda Invoke API's path for any function name, ARN or qualifier (one handler answers all).
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
        "AWS_EXECUTION_ENV": f"AWS_Lambda_python{sys.version_info.major}.{sys.version_info.minor}",
        "LAMBDA_TASK_ROOT": os.getcwd(),
    }
    for variable, value in defaults.items():
        os.environ.setdefault(variable, value)


def new_context(
    function_name: str | None = None, timeout_s: float | None = None
) -> LocalLambdaContext:
    """A context like the runtime's, from the variables `set_lambda_environment` set; a caller
    that sets none (the local queue poller) names the function and its timeout."""
    name = function_name or os.environ["AWS_LAMBDA_FUNCTION_NAME"]
    timeout = timeout_s or float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "300"))
    region = os.environ.get("AWS_REGION", "us-east-1")
    return LocalLambdaContext(
        aws_request_id=str(uuid.uuid4()),
        function_name=name,
        function_version=os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        invoked_function_arn=f"arn:aws:lambda:{region}:000000000000:function:{name}",
        memory_limit_in_mb=int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "3008")),
        log_group_name=os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", f"/aws/lambda/{name}"),
        log_stream_name=os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "local"),
        deadline_ms=int((time.time() + timeout) * 1000),
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


@dataclass
class Invocation:
    """One call of the handler: what it returned, or the exception it raised."""

    context: LocalLambdaContext
    result: Any = None
    error: Exception | None = None


class Invoker:
    """Runs every invocation on the thread that loaded the handler, one at a time, as a Lambda
    sandbox does: Mangum drives the app on that thread's event loop. The HTTP threads hand
    their events over and wait."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self._calls: queue.Queue[tuple[Any, Future[Invocation]]] = queue.Queue()

    def invoke(self, event: Any) -> Invocation:
        """From any thread: the outcome of the handler on `event`."""
        outcome: Future[Invocation] = Future()
        self._calls.put((event, outcome))
        return outcome.result()

    def serve_forever(self) -> None:
        """On the handler's thread: run the invocations as they come."""
        while True:
            event, outcome = self._calls.get()
            invocation = Invocation(new_context())
            try:
                invocation.result = self.handler(event, invocation.context)
            except Exception as exc:
                invocation.error = exc
            outcome.set_result(invocation)


class LambdaHTTPServer(ThreadingHTTPServer):
    """A thread per connection (a browser opens several, and may leave one idle), every
    invocation on the `Invoker`'s thread."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], invoker: Invoker, stage: str) -> None:
        super().__init__(address, InvocationRequestHandler)
        self.invoker = invoker
        self.stage = stage


class InvocationRequestHandler(BaseHTTPRequestHandler):
    server_version = "lambda-server/1.0"
    timeout = 60  # an idle connection (a browser's spare one) frees its thread

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        if _INVOKE_API_PATH.fullmatch(path):
            self._invoke()
        elif path.startswith(FUNCTIONS_PATH):
            error = {"errorMessage": f"unknown path {self.path}", "errorType": "NotFound"}
            self._reply(404, error, time.perf_counter())
        else:
            self._serve_http_api()

    def _serve_http_api(self) -> None:
        """A browser's (or curl's) request, through the handler as API Gateway's HTTP API
        would send it, and the handler's answer as the HTTP API would return it."""
        started = time.perf_counter()
        server = self._server()
        event = http_api_event(
            self.command,
            self.path,
            list(self.headers.items()),
            self._body(),
            stage=server.stage,
            client=self.client_address[0],
            port=server.server_address[1],
        )
        if event is None:  # outside the stage: API Gateway's own answer
            self._send(404, b'{"message":"Not Found"}')
            self._log(404, started, None, "outside the stage")
            return
        invocation = server.invoker.invoke(event)
        if invocation.error is not None:
            log.error("handler raised", exc_info=invocation.error)
        status, headers, body = http_api_response(invocation)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Apigw-Requestid", event["requestContext"]["requestId"])
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        outcome = "error" if invocation.error is not None else "http"
        self._log(status, started, invocation.context, outcome)

    do_GET = do_HEAD = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve_http_api

    def _invoke(self) -> None:
        started = time.perf_counter()
        body = self._body()
        try:
            event = json.loads(body)
        except ValueError as exc:
            invalid = {"errorMessage": f"invalid JSON event: {exc}", "errorType": "InvalidJSON"}
            self._reply(400, invalid, started)
            return
        invocation = self._server().invoker.invoke(event)
        context = invocation.context
        if invocation.error is not None:
            # As the Invoke API: status 200, the error as the body, flagged by this header.
            crash = error_payload(invocation.error, context.aws_request_id)
            self._reply(200, crash, started, context, function_error="Unhandled")
            return
        try:
            payload = json.dumps(invocation.result)
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

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _server(self) -> LambdaHTTPServer:
        assert isinstance(self.server, LambdaHTTPServer)
        return self.server

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


def http_api_event(
    method: str,
    target: str,
    headers: list[tuple[str, str]],
    body: bytes,
    *,
    stage: str,
    client: str,
    port: int,
) -> dict[str, Any] | None:
    """The payload format 2.0 event an HTTP API stage sends for this request (a named stage
    keeps its name at the start of the path), or None when the path is outside the stage."""
    path, _, query = target.partition("?")
    if stage != DEFAULT_STAGE and path != f"/{stage}" and not path.startswith(f"/{stage}/"):
        return None
    named = [(name.lower(), value) for name, value in headers]
    cookies = [
        cookie.strip()
        for name, value in named
        if name == "cookie"
        for cookie in value.split(";")
        if cookie.strip()
    ]
    joined = _joined((name, value) for name, value in named if name != "cookie")
    joined |= {
        "x-forwarded-for": client,
        "x-forwarded-proto": "http",
        "x-forwarded-port": str(port),
    }
    parameters = _joined(parse_qsl(query, keep_blank_values=True))
    now = time.time()
    request_id = base64.b64encode(uuid.uuid4().bytes[:10]).decode()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": joined,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": joined.get("host", "localhost"),
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": unquote(path),
                "protocol": "HTTP/1.1",
                "sourceIp": client,
                "userAgent": joined.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": "$default",
            "stage": stage,
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if parameters:
        event["queryStringParameters"] = parameters
    if body:
        event |= _body_fields(body, joined.get("content-type", ""))
    return event


def _joined(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Repeated names as one, their values comma-separated, as an HTTP API merges them."""
    merged: dict[str, str] = {}
    for name, value in pairs:
        merged[name] = f"{merged[name]},{value}" if name in merged else value
    return merged


def _body_fields(body: bytes, content_type: str) -> dict[str, Any]:
    if TEXT_TYPES.match(content_type):
        with contextlib.suppress(UnicodeDecodeError):
            return {"body": body.decode(), "isBase64Encoded": False}
    return {"body": base64.b64encode(body).decode(), "isBase64Encoded": True}


def http_api_response(invocation: Invocation) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body that an HTTP API answers with for this invocation's result."""
    if invocation.error is not None:
        return 500, [("Content-Type", "application/json")], b'{"message":"Internal Server Error"}'
    result = invocation.result
    if not (isinstance(result, dict) and "statusCode" in result):
        # Payload 2.0: any other JSON result is a 200 application/json body.
        return 200, [("Content-Type", "application/json")], json.dumps(result).encode()
    # The length is the body's as sent (set by the caller); the connection is the server's.
    headers = [
        (str(name), str(value))
        for name, value in (result.get("headers") or {}).items()
        if str(name).lower() not in _FRAMING_HEADERS
    ]
    headers += [("Set-Cookie", str(cookie)) for cookie in result.get("cookies") or ()]
    text = result.get("body") or ""
    body = base64.b64decode(text) if result.get("isBase64Encoded") else text.encode()
    return int(result["statusCode"]), headers, body


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100, help="0 picks a free port")
    parser.add_argument("--handler", default="app.main.handler", help="module.attribute")
    parser.add_argument(
        "--stage",
        default=os.environ.get("API_BASE_PATH", "").strip("/") or DEFAULT_STAGE,
        help="HTTP API stage of browser requests (default: API_BASE_PATH without its slash, "
        "else $default, which keeps no name in the path)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    # Like the Lambda task root: modules in the working directory are importable.
    sys.path.insert(0, os.getcwd())
    set_lambda_environment()
    invoker = Invoker(load_handler(args.handler))
    server = LambdaHTTPServer((args.host, args.port), invoker, args.stage)
    signal.signal(signal.SIGTERM, _stop)
    host, port = server.server_address[:2]
    stage_path = "" if args.stage == DEFAULT_STAGE else f"/{args.stage}"
    log.info("listening on http://%s:%d%s handler=%s", host, port, INVOKE_PATH, args.handler)
    log.info("HTTP API stage %s on http://%s:%d%s/", args.stage, host, port, stage_path)
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    try:
        invoker.serve_forever()
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
