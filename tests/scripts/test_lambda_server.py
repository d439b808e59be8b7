"""End-to-end tests of scripts/lambda_server.py against a throwaway echo handler module: the
invoke endpoint, and the HTTP API front that turns requests into events of a stage."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.core import aws

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "lambda_server.py"
INVOKE_PATH = "/2015-03-31/functions/function/invocations"
HANDLER_SOURCE = """
import os
import threading

# What the app sees when it is imported (and sizes its pools by).
AT_IMPORT = {name: value for name, value in os.environ.items() if "LAMBDA" in name or "AWS" in name}


def handler(event, context):
    if "raise" in event:
        raise ValueError(event["raise"])
    if event.get("rawPath") == "/dev/raise":
        raise ValueError("boom")
    if event.get("rawPath") == "/dev/proxy-result":
        return {
            "statusCode": 201,
            "headers": {
                "x-answer": "42",
                "content-type": "application/octet-stream",
                "content-length": "99",
            },
            "cookies": ["session=1; Path=/", "theme=dark"],
            "body": "AAH/",
            "isBase64Encoded": True,
        }
    return {
        "environment_at_import": AT_IMPORT,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "event": event,
        "request_id": context.aws_request_id,
        "function_name": context.function_name,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "main_thread": threading.current_thread() is threading.main_thread(),
    }
"""


@dataclass
class Server:
    url: str
    log_path: Path

    def log_lines(self) -> list[str]:
        return [line for line in self.log_path.read_text().splitlines() if "request_id=" in line]


def _wait_for_port(process: subprocess.Popen[bytes], log_path: Path) -> int:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", log_path.read_text())
        if found:
            return int(found.group(1))
        if process.poll() is not None:
            break
        time.sleep(0.05)
    pytest.fail(f"lambda_server did not start:\n{log_path.read_text()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("lambda_server")
    (root / "echo_handler_mod.py").write_text(HANDLER_SOURCE)
    log_path = root / "server.log"
    python_path = os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": python_path, "AWS_LAMBDA_FUNCTION_NAME": "echo-fn"}
    command = [
        *(sys.executable, str(SCRIPT), "--handler", "echo_handler_mod.handler"),
        *("--port", "0", "--stage", "dev"),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        port = _wait_for_port(process, log_path)
        yield Server(f"http://127.0.0.1:{port}", log_path)
    finally:
        process.terminate()
        process.wait(timeout=10)


def post_with_headers(url: str, data: bytes) -> tuple[int, Any, dict[str, str]]:
    request = urllib.request.Request(url, data=data, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read()), dict(error.headers)


def post(url: str, data: bytes) -> tuple[int, Any]:
    status, body, _ = post_with_headers(url, data)
    return status, body


def invoke(server: Server, event: object) -> tuple[int, Any]:
    return post(server.url + INVOKE_PATH, json.dumps(event).encode())


def test_invocation_returns_handler_result(server: Server) -> None:
    event = {"version": "0", "detail": {"n": 1}}
    status, result = invoke(server, event)
    assert status == 200
    assert result["event"] == event
    assert result["function_name"] == "echo-fn"
    assert result["main_thread"] is True
    assert 0 < result["remaining_ms"] <= 300_000
    uuid.UUID(result["request_id"])
    assert invoke(server, event)[1]["request_id"] != result["request_id"]


def test_bad_json_is_400(server: Server) -> None:
    status, body = post(server.url + INVOKE_PATH, b"{not json")
    assert status == 400
    assert body["errorType"] == "InvalidJSON"


def test_unknown_path_is_404(server: Server) -> None:
    status, body = post(server.url + "/2015-03-31/functions/other/configuration", b"{}")
    assert status == 404
    assert "unknown path" in body["errorMessage"]


def test_the_sdk_invokes_a_version_by_its_arn(
    server: Server, aws_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the app's Lambda client pointed at the server (as the pre-traffic hook's tests do)
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", server.url)
    aws.forget_clients()
    lambda_api = aws.lambda_()
    version_arn = "arn:aws:lambda:eu-west-1:123456789012:function:app-development:7"

    # When it invokes a version by its qualified ARN, and with a qualifier
    answered = lambda_api.invoke(FunctionName=version_arn, Payload=b'{"n": 1}')
    failed = lambda_api.invoke(
        FunctionName="app-development", Qualifier="live", Payload=b'{"raise": "boom"}'
    )

    # Then the handler answers both, its error flagged as the Invoke API does
    assert json.loads(answered["Payload"].read())["event"] == {"n": 1}
    assert answered.get("FunctionError") is None
    assert failed["FunctionError"] == "Unhandled"
    assert json.loads(failed["Payload"].read())["errorMessage"] == "boom"


def test_the_handler_is_imported_with_the_lambda_environment(server: Server) -> None:
    result = invoke(server, {})[1]
    environment = result["environment_at_import"]
    # Set by the test itself: kept. The others as the Lambda runtime sets them.
    assert environment["AWS_LAMBDA_FUNCTION_NAME"] == "echo-fn"
    assert environment["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == str(result["memory_limit_in_mb"])
    assert environment["AWS_LAMBDA_LOG_GROUP_NAME"] == result["log_group_name"]
    runtime = f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert environment["AWS_EXECUTION_ENV"] == f"AWS_Lambda_{runtime}"
    assert {"AWS_REGION", "AWS_LAMBDA_LOG_STREAM_NAME", "LAMBDA_TASK_ROOT"} <= set(environment)


def test_a_successful_invocation_has_no_function_error(server: Server) -> None:
    _, _, headers = post_with_headers(server.url + INVOKE_PATH, b"{}")
    assert "X-Amz-Function-Error" not in headers


def test_handler_exception_is_a_lambda_error_payload(server: Server) -> None:
    status, body, headers = post_with_headers(
        server.url + INVOKE_PATH, json.dumps({"raise": "boom"}).encode()
    )
    assert status == 200
    assert headers["X-Amz-Function-Error"] == "Unhandled"
    assert set(body) == {"errorMessage", "errorType", "requestId", "stackTrace"}
    assert (body["errorMessage"], body["errorType"]) == ("boom", "ValueError")
    assert "echo_handler_mod.py" in body["stackTrace"][0]
    assert not any("lambda_server.py" in frame for frame in body["stackTrace"])


def test_logs_one_line_per_invocation(server: Server) -> None:
    # The server logs after it answered: let the earlier tests' lines land first.
    before = -1
    while before != len(server.log_lines()):
        before = len(server.log_lines())
        time.sleep(0.1)
    invoke(server, {"n": 1})
    post(server.url + "/2015-03-31/functions/other/configuration", b"{}")
    deadline = time.monotonic() + 5
    while len(server.log_lines()) < before + 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    lines = server.log_lines()
    assert len(lines) == before + 2
    assert f"POST {INVOKE_PATH} 200" in lines[-2]
    assert "POST /2015-03-31/functions/other/configuration 404" in lines[-1]


def browse(
    server: Server, path: str, *, method: str = "GET", body: bytes | None = None, **headers: str
) -> tuple[http.client.HTTPResponse, bytes]:
    """A request as a browser sends it to the HTTP API front: the response and its body."""
    connection = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def browse_json(server: Server, path: str, **kwargs: Any) -> tuple[int, Any]:
    response, body = browse(server, path, **kwargs)
    return response.status, json.loads(body)


def test_a_request_becomes_an_http_api_event_of_the_stage(server: Server) -> None:
    status, result = browse_json(
        server,
        "/dev/books/a%20b?tag=x&tag=y&q=",
        Cookie="a=1; b=2",
        **{"X-Trace": "t1", "User-Agent": "browser/1"},
    )
    assert status == 200
    assert result["main_thread"] is True
    event = result["event"]
    assert (event["version"], event["routeKey"], event["rawPath"]) == (
        "2.0",
        "$default",
        "/dev/books/a%20b",
    )
    assert event["rawQueryString"] == "tag=x&tag=y&q="
    assert event["queryStringParameters"] == {"tag": "x,y", "q": ""}
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["headers"]["x-trace"] == "t1"
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-forwarded-for"] == "127.0.0.1"
    context = event["requestContext"]
    assert context["stage"] == "dev"
    assert context["http"] == {
        "method": "GET",
        "path": "/dev/books/a b",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "browser/1",
    }
    assert event["isBase64Encoded"] is False
    assert "body" not in event


@pytest.mark.parametrize(
    ("content_type", "body", "expected", "encoded"),
    [
        ("application/json", b'{"title": "Dune"}', '{"title": "Dune"}', False),
        ("text/plain; charset=utf-8", "naïve".encode(), "naïve", False),
        ("application/octet-stream", b"\x00\xff", "AP8=", True),
        ("application/json", b"\xff\xfe{", "//57", True),
    ],
)
def test_a_body_is_text_or_base64_as_the_http_api_passes_it(
    server: Server, content_type: str, body: bytes, expected: str, encoded: bool
) -> None:
    _, result = browse_json(
        server, "/dev/books", method="POST", body=body, **{"Content-Type": content_type}
    )
    assert (result["event"]["body"], result["event"]["isBase64Encoded"]) == (expected, encoded)


def test_the_handlers_proxy_result_is_the_response(server: Server) -> None:
    response, body = browse(server, "/dev/proxy-result")
    assert response.status == 201
    assert response.headers["x-answer"] == "42"
    assert response.headers.get_all("set-cookie") == ["session=1; Path=/", "theme=dark"]
    assert response.headers["apigw-requestid"]
    assert response.headers.get_all("content-length") == ["3"]
    assert body == b"\x00\x01\xff"


def test_a_path_outside_the_stage_is_api_gateways_not_found(server: Server) -> None:
    for path in ("/", "/health", "/devices"):
        assert browse_json(server, path) == (404, {"message": "Not Found"})


def test_a_handler_that_raises_is_a_500_and_its_traceback_is_logged(server: Server) -> None:
    status, body = browse_json(server, "/dev/raise")
    assert (status, body) == (500, {"message": "Internal Server Error"})
    deadline = time.monotonic() + 5
    while "ValueError: boom" not in server.log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "ValueError: boom" in server.log_path.read_text()


def test_idle_and_parallel_connections_do_not_hold_up_others(server: Server) -> None:
    # A browser keeps spare connections open without sending anything, and loads a page's
    # assets in parallel: each is served, and every invocation still runs on the main thread.
    host, port = server.url.removeprefix("http://").split(":")
    address = (host, int(port))
    with (
        socket.create_connection(address),
        socket.create_connection(address),
        ThreadPoolExecutor(max_workers=4) as pool,
    ):
        results = list(pool.map(lambda _: browse_json(server, "/dev/x"), range(8)))
    assert all(status == 200 and result["main_thread"] for status, result in results)
