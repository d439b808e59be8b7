"""Malformed Lambda events: an event that looks like HTTP but that Mangum cannot read gets a
400 envelope (8014) when it names an HTTP source, else the `{"ok": false}` of an unsupported
event; never an unhandled error, never a traceback. Known broken shapes in a table, then
each field Mangum reads replaced by null, a list, a number, a string or an object."""

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from app.lambda_handler import build_handler
from tests.support.lambda_events import SHAPES, Event, Shape, build_event, lambda_context
from tests.support.lambda_transport import run_on_handler_thread

Mutation = Callable[[Event], None]


@pytest.fixture
def handler(app: FastAPI) -> Callable[[object], Any]:
    built = run_on_handler_thread(lambda: build_handler(app, app.state.settings))
    return lambda event: run_on_handler_thread(lambda: built(event, lambda_context("ctx-1")))


def _event(shape: Shape, **options: Any) -> Event:
    return build_event(
        shape, "POST", "/health", query={"tag": ["a", "b"]}, cookies={"c": "1"}, **options
    )


def _set(path: str, value: object) -> Mutation:
    """Sets the field at a dotted path (`requestContext.http.path`) of the event."""

    def mutate(event: Event) -> None:
        *parents, last = path.split(".")
        target = event
        for part in parents:
            target = target[part]
        target[last] = value

    return mutate


def _base64_body(body: str) -> Mutation:
    return lambda event: event.update(body=body, isBase64Encoded=True)


def _drop(path: str) -> Mutation:
    def mutate(event: Event) -> None:
        *parents, last = path.split(".")
        target = event
        for part in parents:
            target = target[part]
        del target[last]

    return mutate


def _assert_malformed_event_answer(result: Any) -> None:
    assert result["statusCode"] == 400, result
    headers = result.get("headers") or {
        name: values[-1] for name, values in result["multiValueHeaders"].items()
    }
    assert headers["content-type"] == "application/json"
    assert headers["x-content-type-options"] == "nosniff"
    body = json.loads(result["body"])
    assert body["success"] is False
    assert body["data"]["internal_error"]["code"] == 8014
    assert isinstance(body["data"]["details"]["event"], str)
    assert body["trace_id"] == headers["x-request-id"]
    assert "Traceback" not in result["body"]


MALFORMED = {
    # Broken shapes Mangum crashes on.
    "requestContext null": ("http_v2", _set("requestContext", None)),
    "headers as a list": ("http_v2", _set("headers", [["host", "example.com"]])),
    "ALB event without path": ("alb", _drop("path")),
    "body as an object": ("http_v2", _set("body", {"title": "Neuromancer"})),
    "invalid base64": ("http_v2", _base64_body("not base64!")),
    # And more, one per field Mangum reads.
    "REST requestContext null": ("rest_v1", _set("requestContext", None)),
    "REST requestContext missing": ("rest_v1", _drop("requestContext")),
    "ALB requestContext a number": ("alb", _set("requestContext", 5)),
    "requestContext.http missing": ("http_v2", _drop("requestContext.http")),
    "requestContext.http.path a number": ("http_v2", _set("requestContext.http.path", 7)),
    "requestContext.http.method null": ("http_v2", _set("requestContext.http.method", None)),
    "requestContext.http.sourceIp missing": ("http_v2", _drop("requestContext.http.sourceIp")),
    "requestContext.identity null": ("rest_v1", _set("requestContext.identity", None)),
    "requestContext with no source": ("http_v2", _drop("version")),
    "headers null (HTTP API)": ("http_v2", _set("headers", None)),
    "a header value a number": ("http_v2", _set("headers.accept", 5)),
    "a header value a list (HTTP API)": ("function_url", _set("headers.accept", ["a"])),
    "REST headers a string": ("rest_v1", _set("headers", "host: example.com")),
    "multiValueHeaders a list": ("rest_v1", _set("multiValueHeaders", [["Accept", "a"]])),
    "a multi-value header a number": ("alb_multi", _set("multiValueHeaders.accept", 1)),
    "a multi-value header holding null": ("rest_v1", _set("multiValueHeaders.Accept", [None])),
    "ALB headers missing": ("alb", _drop("headers")),
    "Host with two colons": ("alb", _set("headers.host", "example.com:80:80")),
    "Host with an IPv6 literal": ("alb", _set("headers.host", "[::1]:8080")),
    "Host with a port that is no number": ("http_v2", _set("headers.host", "example.com:http")),
    "X-Forwarded-Port no number": ("http_v2", _set("headers.x-forwarded-port", "https")),
    "queryStringParameters a number": (
        "rest_v1",
        lambda event: event.update(queryStringParameters=3, multiValueQueryStringParameters=None),
    ),
    "queryStringParameters holding null": ("alb", _set("queryStringParameters.tag", None)),
    "multiValueQueryStringParameters a string": (
        "rest_v1",
        _set("multiValueQueryStringParameters", "tag=a"),
    ),
    "a multi-value query holding a number": (
        "alb_multi",
        _set("multiValueQueryStringParameters.tag", [1]),
    ),
    "cookies a number": ("http_v2", _set("cookies", 5)),
    "cookies holding a number": ("function_url", _set("cookies", [1])),
    "rawQueryString null": ("http_v2", _set("rawQueryString", None)),
    "httpMethod missing (REST)": ("rest_v1", _drop("httpMethod")),
    "path a list (REST)": ("rest_v1", _set("path", ["/health"])),
    "ALB httpMethod a number": ("alb", _set("httpMethod", 1)),
    "body a list": ("rest_v1", _set("body", ["x"])),
    "body a number": ("alb", _set("body", 42)),
    "isBase64Encoded a string": ("http_v2", _set("isBase64Encoded", "false")),
    "base64 with a bad character": ("rest_v1", _base64_body("eyJ0aXRsZSI6I*")),
    "base64 that is not ASCII": ("alb", _base64_body("ééé=")),
    "base64 cut short": ("function_url", _base64_body("eyJ0aXRsZSI")),
}


@pytest.mark.parametrize(("shape", "mutate"), MALFORMED.values(), ids=MALFORMED)
def test_a_malformed_http_event_gets_a_400_envelope(
    handler: Callable[[object], Any], shape: Shape, mutate: Mutation
) -> None:
    event = _event(shape, body='{"title": "x"}')
    mutate(event)
    _assert_malformed_event_answer(handler(event))


def test_the_400_carries_the_api_gateway_request_id_as_trace_id(
    handler: Callable[[object], Any],
) -> None:
    event = _event("http_v2", body="x")
    event["headers"] = None
    result = handler(event)
    _assert_malformed_event_answer(result)
    assert json.loads(result["body"])["trace_id"] == event["requestContext"]["requestId"]


def test_an_alb_with_multi_value_headers_gets_them_in_the_400(
    handler: Callable[[object], Any],
) -> None:
    event = _event("alb_multi")
    del event["path"]
    result = handler(event)
    _assert_malformed_event_answer(result)
    assert "headers" not in result
    assert result["multiValueHeaders"]["x-request-id"] == ["ctx-1"]


@pytest.mark.parametrize(
    "event",
    [{"requestContext": None}, {"requestContext": "x", "body": "{}"}, {"requestContext": [1]}],
)
def test_a_broken_event_that_names_no_http_source_is_unsupported(
    handler: Callable[[object], Any], event: Event
) -> None:
    result = handler(event)
    assert result["ok"] is False
    assert "Unsupported event" in result["error"]
    assert "requestContext is missing or not an object" in result["error"]


def test_valid_base64_and_empty_bodies_are_still_served(
    handler: Callable[[object], Any],
) -> None:
    for event in (
        _event("http_v2", body=b'{"title": "x"}'),
        _event("rest_v1") | {"body": None, "isBase64Encoded": None, "headers": None},
        _event("alb") | {"body": "", "queryStringParameters": {}},
        build_event("http_v2", "GET", "/health", headers={"Host": "example.com:443"}),
    ):
        result = handler(event)
        assert result["statusCode"] in (200, 405), result  # POST /health: 405, still read


# Each field Mangum reads, replaced by values no source sends.
ODD_VALUES: tuple[object, ...] = (
    *(None, [], ["x"], [None], 0, 7, 1.5, True),
    *("", "x:y:z", {}, {"k": 1}),
)


def _field_paths(event: Event) -> Iterator[str]:
    """Top-level fields, and one level into the objects among them (requestContext, headers,
    query parameters), two into requestContext's (http, identity)."""
    for key, value in event.items():
        yield key
        if isinstance(value, dict):
            for inner, inner_value in value.items():
                yield f"{key}.{inner}"
                if key == "requestContext" and isinstance(inner_value, dict):
                    yield from (f"{key}.{inner}.{leaf}" for leaf in inner_value)


@pytest.mark.parametrize("shape", SHAPES)
def test_odd_values_in_any_field_get_an_answer_never_an_error(
    handler: Callable[[object], Any], shape: Shape
) -> None:
    original = _event(shape, body='{"title": "x"}', stage="dev" if shape == "rest_v1" else None)
    wrong: list[str] = []
    for path in _field_paths(original):
        for mutate in (_drop(path), *(_set(path, value) for value in ODD_VALUES)):
            event = copy.deepcopy(original)
            mutate(event)
            try:
                result = handler(event)
            except Exception as error:  # the point: nothing may escape
                wrong.append(f"{path}: {type(error).__name__}: {error}")
                continue
            if "ok" in result:
                continue  # answered as an unsupported event
            if result["statusCode"] >= 500 or "Traceback" in result["body"]:
                wrong.append(f"{path}: {result['statusCode']} {result['body'][:200]}")
            elif result["statusCode"] == 400:
                code = json.loads(result["body"])["data"]["internal_error"]["code"]
                assert code == 8014, (path, result)
    assert wrong == []
