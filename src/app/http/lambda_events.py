"""Lambda HTTP events Mangum cannot read: what is wrong with them, and their 400 answer.

Mangum trusts an event's shape: a `requestContext` of null, headers as a list, an ALB event
without `path`, a body that is an object or invalid base64 make it raise while it reads the
event, which Lambda would report as an unhandled error with a traceback. Checking every field
before Mangum costs a warm invocation a few percent, so the handler asks `http_event_problem`
(every field Mangum reads, for the source Mangum infers, in the same order) only once Mangum
has raised. The method is the exception: Mangum hands it to the app unread, and a list or an
object there breaks routing, so `method_problem` is checked first, for a few dict lookups.
"""

import binascii
from collections.abc import Mapping
from typing import Any

from loguru import logger

from app.core.context import trace_id_var
from app.http.errors.codes import CommonInternalCode
from app.http.errors.exceptions import BaseApiRestException, error_response
from app.http.request_context.middleware import SECURITY_HEADERS
from app.http.request_context.trace_id import resolve_trace_id

# Keys only HTTP sources put in an event, besides an object `requestContext`.
_HTTP_KEYS = ("httpMethod", "routeKey", "rawPath")


def method_problem(event: Mapping[str, Any]) -> str | None:
    """What is wrong with the event's method, as Mangum picks it (None when it is a string or
    absent: Mangum raises on an absent one itself)."""
    context = event.get("requestContext")
    if event.get("version") == "2.0" and type(context) is dict and "elb" not in context:
        http = context.get("http")
        method = http.get("method", "") if type(http) is dict else ""
        field = "requestContext.http.method"
    else:
        method, field = event.get("httpMethod", ""), "httpMethod"
    return None if type(method) is str else f"{field} is not a string"


def http_event_problem(event: Mapping[str, Any]) -> str | None:
    """What in this HTTP event Mangum fails on, or None when it can read all of it."""
    context = event.get("requestContext")
    if not isinstance(context, Mapping):
        return "requestContext is missing or not an object"
    if "elb" in context:
        return _alb_problem(event)
    if event.get("version") == "2.0":
        return _v2_problem(event, context.get("http"))
    if "version" in event or "resource" in event:
        return _v1_problem(event, context.get("identity", {}))
    return "not an API Gateway, ALB or Function URL event (no version, resource or elb)"


def names_an_http_source(event: Mapping[str, Any]) -> bool:
    """Whether the event came from an HTTP source, which turns a response into an answer to
    a client, even though it is malformed."""
    return isinstance(event.get("requestContext"), Mapping) or any(
        key in event for key in _HTTP_KEYS
    )


class MalformedEventError(BaseApiRestException):
    default_code = CommonInternalCode.MALFORMED_EVENT


def malformed_event_response(
    event: Mapping[str, Any], context: object, problem: str
) -> dict[str, Any]:
    """The 400 envelope for an HTTP event Mangum cannot read, as the proxy response its source
    expects, with the headers every response carries."""
    trace_id = resolve_trace_id({"aws.event": event, "aws.context": context})
    token = trace_id_var.set(trace_id)
    try:
        logger.warning("Malformed HTTP event: {}", problem)
        response = error_response(MalformedEventError(details={"event": problem}))
    finally:
        trace_id_var.reset(token)
    headers = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in (
            *response.raw_headers,
            (b"x-request-id", trace_id.encode("latin-1")),
            *SECURITY_HEADERS,
        )
    }
    answer: dict[str, Any] = {
        "statusCode": response.status_code,
        "body": bytes(response.body).decode(),
        "isBase64Encoded": False,
    }
    source = event.get("requestContext")
    if "multiValueHeaders" in event and isinstance(source, Mapping) and "elb" in source:
        # An ALB with multi-value headers on reads only multiValueHeaders from the answer.
        answer["multiValueHeaders"] = {name: [value] for name, value in headers.items()}
    else:
        answer["headers"] = headers
    return answer


def _v2_problem(event: Mapping[str, Any], http: object) -> str | None:
    """HTTP API payload 2.0 and Function URLs."""
    if not isinstance(http, Mapping):
        return "requestContext.http is not an object"
    for field in ("method", "path", "sourceIp"):
        if not isinstance(http.get(field), str):
            return f"requestContext.http.{field} is not a string"
    if not isinstance(event.get("rawQueryString", ""), str):
        return "rawQueryString is not a string"
    cookies = event.get("cookies")
    if cookies and not (isinstance(cookies, list) and all(type(c) is str for c in cookies)):
        return "cookies is not a list of strings"
    return _headers_problem(event.get("headers", {}), "headers") or _body_problem(event)


def _v1_problem(event: Mapping[str, Any], identity: object) -> str | None:
    """REST APIs and HTTP API payload 1.0."""
    if not isinstance(identity, Mapping):
        return "requestContext.identity is not an object"
    problem = _request_line_problem(event)
    for name in ("headers", "multiValueHeaders"):  # Mangum reads either only when not empty
        if event.get(name):
            problem = problem or _headers_problem(event[name], name)
    if event.get("multiValueQueryStringParameters"):
        name = "multiValueQueryStringParameters"
    else:
        name = "queryStringParameters"
    return problem or _query_problem(event.get(name), name) or _body_problem(event)


def _alb_problem(event: Mapping[str, Any]) -> str | None:
    name = "multiValueHeaders" if "multiValueHeaders" in event else "headers"
    problem = _request_line_problem(event) or _headers_problem(event.get(name), name)
    if "multiValueQueryStringParameters" in event:
        query = "multiValueQueryStringParameters"
    else:
        query = "queryStringParameters"
    return problem or _query_problem(event.get(query), query) or _body_problem(event)


def _request_line_problem(event: Mapping[str, Any]) -> str | None:
    for field in ("httpMethod", "path"):
        if not isinstance(event.get(field), str):
            return f"{field} is not a string"
    return None


def _headers_problem(headers: object, name: str) -> str | None:
    """`headers` maps names to strings, `multiValueHeaders` to lists of strings; Mangum also
    reads the port of `Host`, else `X-Forwarded-Port`, as a number."""
    if not isinstance(headers, Mapping):
        return f"{name} is not an object"
    multi_valued = name == "multiValueHeaders"
    host = port = None
    for key, value in headers.items():
        if not multi_valued and type(value) is str:
            text = value
        elif multi_valued and type(value) is list and all(type(item) is str for item in value):
            text = ", ".join(value)
        else:
            return f"{name} is not an object of {'lists of strings' if multi_valued else 'strings'}"
        lowered = key.lower()
        if lowered == "host":
            host = text
        elif lowered == "x-forwarded-port":
            port = text
    if host is not None and ":" in host:
        parts = host.split(":")
        if len(parts) != 2 or not _is_int(parts[1]):
            return "the Host header is not <name>[:<port>]"
    elif port is not None and not _is_int(port):
        return "the X-Forwarded-Port header is not a number"
    return None


def _query_problem(query: object, name: str) -> str | None:
    if not query:
        return None
    if not isinstance(query, Mapping):
        return f"{name} is not an object"
    for value in query.values():
        if type(value) is not str and not (
            type(value) is list and all(type(item) is str for item in value)
        ):
            return f"{name} is not an object of strings or lists of strings"
    return None


def _body_problem(event: Mapping[str, Any]) -> str | None:
    body = event.get("body")
    encoded = event.get("isBase64Encoded")
    if encoded is not None and type(encoded) is not bool:
        return "isBase64Encoded is not true or false"
    if not body:
        return None
    if type(body) is not str:
        return "body is not a string"
    if encoded:
        try:
            binascii.a2b_base64(body, strict_mode=True)
        except ValueError:
            return "body is not valid base64 (isBase64Encoded is true)"
    return None


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True
