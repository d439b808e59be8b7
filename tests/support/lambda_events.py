"""Build real-shaped Lambda HTTP events (API Gateway v1/v2, ALB, function URL) from tests/events."""

from __future__ import annotations

import copy
import json
import time
import uuid
from base64 import b64encode
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, get_args
from urllib.parse import parse_qsl, urlencode

if TYPE_CHECKING:
    from mangum.types import LambdaCognitoIdentity, LambdaMobileClientContext

Event = dict[str, Any]
Shape = Literal["rest_v1", "http_v2", "alb", "alb_multi", "function_url"]
QueryInput = str | Mapping[str, str | Sequence[str]] | Sequence[tuple[str, str]]
HeadersInput = Mapping[str, str] | Sequence[tuple[str, str]]
CookiesInput = Mapping[str, str] | Sequence[str]

SHAPES: Final[tuple[Shape, ...]] = get_args(Shape)
EVENTS_DIR: Final = Path(__file__).resolve().parent.parent / "events"

_TEMPLATES: Final[dict[Shape, str]] = {
    "rest_v1": "rest_api_v1",
    "http_v2": "http_api_v2",
    "alb": "alb",
    "alb_multi": "alb_multi_value",
    "function_url": "function_url",
}
_STAGED_TEMPLATES: Final[dict[Shape, str]] = {
    "rest_v1": "rest_api_v1_stage_dev",
    "http_v2": "http_api_v2_stage_dev",
}
# Headers the proxy (CloudFront, API Gateway, ALB) adds itself; they stay even when a test
# passes its own headers.
_INFRA_HEADERS: Final = ("host", "via", "x-amz", "x-forwarded-", "cloudfront-")

Pairs = list[tuple[str, str]]


@cache
def _read_event(name: str) -> Event:
    data: Event = json.loads((EVENTS_DIR / f"{name}.json").read_text())
    return data


def load_event(name: str) -> Event:
    """Return a fresh deep copy of ``tests/events/<name>.json``."""
    return copy.deepcopy(_read_event(name.removesuffix(".json")))


@dataclass
class FakeLambdaContext:
    """The attributes of the Lambda runtime's context object that handlers read."""

    aws_request_id: str
    function_name: str = "app-test"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:app-test"
    memory_limit_in_mb: int = 512
    log_group_name: str = "/aws/lambda/app-test"
    log_stream_name: str = "2024/03/10/[$LATEST]0123456789abcdef0123456789abcdef"
    identity: LambdaCognitoIdentity | None = None
    client_context: LambdaMobileClientContext | None = None
    deadline_ms: int = field(default=0, repr=False)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.deadline_ms - int(time.time() * 1000))


def lambda_context(
    request_id: str | None = None, *, function_name: str = "app-test", timeout_s: float = 30.0
) -> FakeLambdaContext:
    """A context for one invocation; a random request id unless one is given."""
    return FakeLambdaContext(
        aws_request_id=request_id or str(uuid.uuid4()),
        function_name=function_name,
        invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}",
        log_group_name=f"/aws/lambda/{function_name}",
        deadline_ms=int((time.time() + timeout_s) * 1000),
    )


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    raw_query: str  # as sent on the wire: percent-encoded
    headers: Pairs
    body: str | None
    is_base64: bool

    @property
    def query(self) -> Pairs:
        return parse_qsl(self.raw_query, keep_blank_values=True)

    @property
    def raw_query_pairs(self) -> Pairs:
        pairs = (part.partition("=") for part in self.raw_query.split("&") if part)
        return [(key, value) for key, _, value in pairs]

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k.lower() == name]
        return values[-1] if values else None


def build_event(
    shape: Shape,
    method: str = "GET",
    path: str = "/health",
    *,
    query: QueryInput | None = None,
    headers: HeadersInput | None = None,
    cookies: CookiesInput | None = None,
    body: str | bytes | None = None,
    base64: bool = False,
    stage: str | None = None,
    authorizer: Mapping[str, Any] | None = None,
) -> Event:
    """Build the event ``shape`` would deliver for this request.

    ``query`` is a raw (percent-encoded) query string, a dict of values or lists, or a list of
    pairs. ``headers`` replace the template's client headers; the proxy-added ones (Host,
    X-Forwarded-*, CloudFront-*, ...) stay unless overridden. ``stage`` only applies to
    ``rest_v1`` (``requestContext.stage``; ``path`` stays unprefixed, as API Gateway sends it)
    and ``http_v2`` (a named stage is prefixed to ``rawPath``; ``"$default"`` is not).
    ``authorizer`` is what API Gateway's authorizer put in ``requestContext.authorizer``.
    """
    if shape not in SHAPES:
        raise ValueError(f"unknown event shape {shape!r}; expected one of {SHAPES}")
    stage = stage.strip("/") if stage else None
    if stage and shape not in _STAGED_TEMPLATES:
        raise ValueError(f"{shape} events have no API Gateway stage")
    if authorizer is not None and shape not in _STAGED_TEMPLATES:
        raise ValueError(f"{shape} events have no API Gateway authorizer")
    event = load_event(_STAGED_TEMPLATES[shape] if stage else _TEMPLATES[shape])
    payload, is_base64 = _encode_body(body, force_base64=base64)
    request = _Request(
        method=method.upper(),
        path=path if path.startswith("/") else f"/{path}",
        raw_query=_raw_query(query),
        headers=_with_cookies(_merge_headers(_template_headers(event), headers), cookies),
        body=payload,
        is_base64=is_base64,
    )
    if shape == "rest_v1":
        _fill_rest_v1(event, request, stage)
    elif shape in ("http_v2", "function_url"):
        _fill_v2(event, request, stage)
    else:
        _fill_alb(event, request, multi_value=shape == "alb_multi")
    if authorizer is not None:
        event["requestContext"]["authorizer"] = copy.deepcopy(dict(authorizer))
    return event


def _fill_rest_v1(event: Event, request: _Request, stage: str | None) -> None:
    context = event["requestContext"]
    if stage:
        context["stage"] = stage
    proxy = request.path.lstrip("/")
    event["resource"] = context["resourcePath"] = "/{proxy+}" if proxy else "/"
    event["pathParameters"] = {"proxy": proxy} if proxy else None
    event["httpMethod"] = context["httpMethod"] = request.method
    event["path"] = request.path
    context["path"] = f"/{context['stage']}{request.path}"
    event["headers"] = _last_values(request.headers) or None
    event["multiValueHeaders"] = _all_values(request.headers) or None
    # REST APIs hand over decoded query values; the single-value map keeps the last one.
    event["queryStringParameters"] = _last_values(request.query) or None
    event["multiValueQueryStringParameters"] = _all_values(request.query) or None
    event["body"] = request.body
    event["isBase64Encoded"] = request.is_base64
    context["identity"]["userAgent"] = request.header("user-agent")
    context["requestId"] = str(uuid.uuid4())
    context["requestTimeEpoch"], context["requestTime"] = _now()


def _fill_v2(event: Event, request: _Request, stage: str | None) -> None:
    context = event["requestContext"]
    if stage:
        context["stage"] = stage
    prefix = "" if context["stage"] == "$default" else f"/{context['stage']}"
    event["rawPath"] = context["http"]["path"] = prefix + request.path
    context["http"]["method"] = request.method
    context["http"]["userAgent"] = request.header("user-agent") or ""
    event["rawQueryString"] = request.raw_query
    _set_or_drop(event, "queryStringParameters", _joined(request.query, ","))
    cookie_values = [v for k, v in request.headers if k.lower() == "cookie"]
    cookies = [c.strip() for value in cookie_values for c in value.split(";") if c.strip()]
    _set_or_drop(event, "cookies", cookies)
    # Payload v2 lower-cases names, joins repeated headers with "," and moves Cookie out.
    headers = [(k.lower(), v) for k, v in request.headers if k.lower() != "cookie"]
    event["headers"] = _joined(headers, ",")
    _set_or_drop(event, "body", request.body)
    event["isBase64Encoded"] = request.is_base64
    context["requestId"] = uuid.uuid4().hex[:16]
    context["timeEpoch"], context["time"] = _now()


def _fill_alb(event: Event, request: _Request, *, multi_value: bool) -> None:
    event["httpMethod"] = request.method
    event["path"] = request.path
    headers = [(k.lower(), v) for k, v in request.headers]
    # ALB passes query keys and values through still percent-encoded.
    query = request.raw_query_pairs
    if multi_value:
        event["multiValueHeaders"] = _all_values(headers)
        event["multiValueQueryStringParameters"] = _all_values(query)
    else:
        event["headers"] = _last_values(headers)
        event["queryStringParameters"] = _last_values(query)
    event["body"] = request.body or ""
    event["isBase64Encoded"] = request.is_base64


def _raw_query(query: QueryInput | None) -> str:
    if query is None:
        return ""
    if isinstance(query, str):
        return query.removeprefix("?")
    if isinstance(query, Mapping):
        pairs = [
            (key, value)
            for key, values in query.items()
            for value in ([values] if isinstance(values, str) else values)
        ]
        return urlencode(pairs)
    return urlencode(list(query))


def _template_headers(event: Event) -> Pairs:
    if event.get("multiValueHeaders"):
        return [(k, v) for k, values in event["multiValueHeaders"].items() for v in values]
    return list((event.get("headers") or {}).items())


def _merge_headers(template: Pairs, headers: HeadersInput | None) -> Pairs:
    if headers is None:
        return template
    given = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    given_names = {name.lower() for name, _ in given}
    kept = [
        (name, value)
        for name, value in template
        if name.lower().startswith(_INFRA_HEADERS) and name.lower() not in given_names
    ]
    return kept + given


def _with_cookies(headers: Pairs, cookies: CookiesInput | None) -> Pairs:
    if not cookies:
        return headers
    items = [f"{k}={v}" for k, v in cookies.items()] if isinstance(cookies, Mapping) else cookies
    value = "; ".join(items)
    for index in reversed(range(len(headers))):
        name, existing = headers[index]
        if name.lower() == "cookie":
            return [*headers[:index], (name, f"{existing}; {value}"), *headers[index + 1 :]]
    return [*headers, ("cookie", value)]


def _encode_body(body: str | bytes | None, *, force_base64: bool) -> tuple[str | None, bool]:
    if body is None or body in ("", b""):
        return None, False
    if isinstance(body, bytes) or force_base64:
        raw = body.encode() if isinstance(body, str) else body
        return b64encode(raw).decode("ascii"), True
    return body, False


def _last_values(pairs: Pairs) -> dict[str, str]:
    return dict(pairs)


def _all_values(pairs: Pairs) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def _joined(pairs: Pairs, separator: str) -> dict[str, str]:
    return {key: separator.join(values) for key, values in _all_values(pairs).items()}


def _set_or_drop(event: Event, key: str, value: object) -> None:
    if value:
        event[key] = value
    else:
        event.pop(key, None)


def _now() -> tuple[int, str]:
    now = time.time()
    return int(now * 1000), time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now))
