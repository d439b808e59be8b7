"""The one line each request and each other invocation writes: readable text locally; in JSON
(always on Lambda) one object that is also the CloudWatch EMF document of its metrics.

A request's line: `trace_id`, `method`, `path`, `route` (the route's template), `status`,
`code` on errors, `latency_ms`, `cold_start`; its metrics Latency, Requests, ClientErrors,
ServerErrors and ColdStart (Restore on the first request after a SnapStart restore), plus
what the request counted (`app.core.metrics`). Another invocation's line (`invocation_line`):
its kind, `duration_ms`, Duration, ColdStart and its counts. docs/operations.md lists them.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from json.encoder import encode_basestring_ascii as json_string
from time import gmtime, perf_counter, strftime, time
from typing import TYPE_CHECKING, Literal

from loguru import logger

from app.core import metrics
from app.core.context import (
    LambdaInvocation,
    lambda_invocation_var,
    new_trace_id,
    subject_var,
    trace_id_var,
)
from app.core.metrics import LineMetrics, MetricDocument, current_line

if TYPE_CHECKING:
    from app.core.settings import Settings

# The lines' own metrics: every line declares these, then what the code counted.
_REQUEST_METRICS = metrics.definitions(
    {
        metrics.LATENCY: "Milliseconds",
        metrics.REQUESTS: "Count",
        metrics.CLIENT_ERRORS: "Count",
        metrics.SERVER_ERRORS: "Count",
        metrics.COLD_START: "Count",
    }
)
_INVOCATION_METRICS = metrics.definitions(
    {metrics.DURATION: "Milliseconds", metrics.COLD_START: "Count"}
)
_RESTORE = f',{{"Name":"{metrics.RESTORE}","Unit":"Count"}}'

# How the lines are written; chosen by `configure_lines`.
_format: Literal["text", "json"] = "text"
_document = MetricDocument("app", "app", "local")


def configure_lines(settings: "Settings") -> None:
    """JSON with the metrics wherever logs are JSON, whatever LOG_LEVEL (it is the metric);
    text through loguru at INFO otherwise. The namespace is METRICS_NAMESPACE."""
    global _format, _document
    _format = "json" if settings.log_json or settings.is_lambda else "text"
    namespace = settings.metrics_namespace or settings.service_name
    _document = MetricDocument(namespace, settings.service_name, settings.environment)


def printable(text: str) -> str:
    """`text` with control characters escaped (`\\x0a`): a client's path cannot forge a log
    line (CR/LF) or drive the terminal (ANSI escapes) in the human-readable format."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else f"\\x{ord(char):02x}" for char in text)


def log_access(
    method: str, path: str, route: str, status: int, latency_ms: float, line: LineMetrics
) -> None:
    """The request's one line: "GET /v1/books/1 200 1.52ms", with its fields and metrics."""
    path = printable(path)
    invocation = lambda_invocation_var.get()
    latency = repr(latency_ms)  # written four times, formatted once
    message = f"{method} {path} {status} {latency}ms"
    if _format == "text":
        fields: dict[str, object] = {"route": route}
        if line.code is not None:
            fields["code"] = line.code
        _log_text(
            "access",
            message,
            fields,
            invocation,
            line,
            method=method,
            path=path,
            status=status,
            latency_ms=latency_ms,
        )
        return
    # Written by hand, straight to stdout, on every request on Lambda: through loguru and
    # json.dumps this line cost several times as much (docs/performance.md).
    cold_start = invocation is not None and invocation.cold_start
    own = (
        f'"{metrics.LATENCY}":{latency},"{metrics.REQUESTS}":1,'
        f'"{metrics.CLIENT_ERRORS}":{"1" if 400 <= status < 500 else "0"},'
        f'"{metrics.SERVER_ERRORS}":{"1" if status >= 500 else "0"},'
        f'"{metrics.COLD_START}":{"1" if cold_start else "0"}'
    )
    definitions = _REQUEST_METRICS
    if invocation is not None and invocation.restore:
        own += f',"{metrics.RESTORE}":1'
        definitions += _RESTORE
    code = "" if line.code is None else f',"code":{line.code}'
    now = time()
    _write_json(
        now,
        "INFO",
        "access",
        message,
        invocation,
        f'"method":{json_string(method)},"path":{json_string(path)},'
        f'"route":{json_string(route)},"status":{status}{code},"latency_ms":{latency},'
        + _document.members(metrics.ROUTE, route, own, definitions, line, int(now * 1000)),
    )


@contextmanager
def invocation_line(kind: str) -> Iterator[None]:
    """One line for an invocation that is not an HTTP request (a migration, a warm-up, a queue
    batch, a job), written when the block ends, whatever happens: its kind, its duration and
    what the block counted with `metrics.count`. The block's logs carry the Lambda request
    id as their trace id."""
    invocation = lambda_invocation_var.get()
    trace = trace_id_var.set(
        trace_id_var.get() or (invocation.aws_request_id if invocation else "") or new_trace_id()
    )
    line = LineMetrics()
    token = current_line.set(line)
    started = perf_counter()
    failure: BaseException | None = None
    try:
        yield
    except BaseException as error:
        failure = error
        raise
    finally:
        duration_ms = round((perf_counter() - started) * 1000, 2)
        _log_invocation(kind, duration_ms, failure, invocation, line)
        current_line.reset(token)
        trace_id_var.reset(trace)


def _log_invocation(
    kind: str,
    duration_ms: float,
    failure: BaseException | None,
    invocation: LambdaInvocation | None,
    line: LineMetrics,
) -> None:
    message = f"{kind} {duration_ms}ms"
    if failure is not None:
        message += f" failed: {type(failure).__name__}"
    fields: dict[str, object] = {"invocation": kind}
    if failure is not None:
        fields["error"] = type(failure).__name__
    if _format == "text":
        _log_text("invocation", message, fields, invocation, line, duration_ms=duration_ms)
        return
    cold_start = invocation is not None and invocation.cold_start
    own = f'"{metrics.DURATION}":{duration_ms},"{metrics.COLD_START}":{int(cold_start)}'
    definitions = _INVOCATION_METRICS
    if invocation is not None and invocation.restore:
        own += f',"{metrics.RESTORE}":1'
        definitions += _RESTORE
    error = "" if failure is None else f',"error":{json_string(type(failure).__name__)}'
    now = time()
    _write_json(
        now,
        "INFO" if failure is None else "ERROR",
        "invocation",
        message,
        invocation,
        f'"invocation":{json_string(kind)}{error},"duration_ms":{duration_ms},'
        + _document.members(metrics.INVOCATION, kind, own, definitions, line, int(now * 1000)),
    )


def _log_text(
    name: str,
    message: str,
    fields: dict[str, object],
    invocation: LambdaInvocation | None,
    line: LineMetrics,
    **in_message: object,
) -> None:
    """The same fields, readable: "GET /health 200 0.4ms route=/health cold_start=true"; all
    of them are also the record's `extra` (`in_message`: those the message already shows)."""
    if invocation is not None and invocation.cold_start:
        fields["cold_start"] = True
    if invocation is not None and invocation.restore:
        fields["restore"] = True
    fields.update(line.values)
    readable = " ".join(
        f"{key}={str(value).lower() if isinstance(value, bool) else value}"
        for key, value in fields.items()
    )
    logger.bind(logger=name, **in_message, **fields).info("{} {}", message, readable)


def _write_json(
    now: float,
    level: str,
    name: str,
    message: str,
    invocation: LambdaInvocation | None,
    members: str,
) -> None:
    """One JSON object per line: the leading members of every log line, the context, then
    `members`."""
    subject = subject_var.get()
    context = "" if subject is None else f',"subject":{json_string(subject)}'
    if invocation is None:
        context += ',"cold_start":false'
    else:
        context += (
            f',"aws_request_id":{json_string(invocation.aws_request_id)},'
            f'"function_name":{json_string(invocation.function_name)},'
            f'"cold_start":{"true" if invocation.cold_start else "false"}'
        )
        if invocation.restore:
            context += ',"restore":true'
        if invocation.xray_trace_id is not None:
            context += f',"xray_trace_id":{json_string(invocation.xray_trace_id)}'
    sys.stdout.write(
        f'{{"timestamp":"{_timestamp(now)}","level":"{level}",'
        f'"logger":"{name}","message":{json_string(message)},'
        f'"trace_id":{json_string(trace_id_var.get() or "-")}{context},{members}}}\n'
    )
    sys.stdout.flush()


_second = -1
_second_text = ""


def _timestamp(now: float) -> str:
    """`now` as ISO 8601 in UTC with microseconds, like the other lines' timestamps: the
    seconds are formatted once per second (a third of this line's cost otherwise)."""
    global _second, _second_text
    second = int(now)
    if second != _second:
        _second, _second_text = second, strftime("%Y-%m-%dT%H:%M:%S", gmtime(second))
    return f"{_second_text}.{int((now - second) * 1_000_000):06d}+00:00"
