"""The Lambda entry `app.main.handler`: HTTP events through Mangum, stages, non-HTTP events."""

import json
from typing import Any

import pytest
from fastapi import FastAPI

from app.lambda_handler import build_handler
from tests.conftest import AppFactory
from tests.support.lambda_events import build_event, lambda_context, load_event
from tests.support.lambda_transport import invoke, run_on_handler_thread

HTTP_EVENTS = [
    "rest_api_v1",
    "rest_api_v1_stage_dev",
    "http_api_v2",
    "alb",
    "alb_multi_value",
    "function_url",
]


def _handler_for(app: FastAPI) -> Any:
    return run_on_handler_thread(lambda: build_handler(app, app.state.settings))


def _body(result: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(result["body"])
    return body


def test_module_handler_serves_health() -> None:
    from app.main import handler

    result = invoke(handler, load_event("http_api_v2"))
    assert result["statusCode"] == 200
    body = _body(result)
    assert body["success"] is True
    assert body["data"] == {"status": "ok"}


@pytest.mark.parametrize("name", HTTP_EVENTS)
def test_every_event_source_reaches_health(app: FastAPI, name: str) -> None:
    result = invoke(_handler_for(app), load_event(name))
    assert result["statusCode"] == 200
    assert _body(result)["data"] == {"status": "ok"}


def test_trace_id_defaults_to_the_api_gateway_request_id(app: FastAPI) -> None:
    event = load_event("http_api_v2")
    result = invoke(_handler_for(app), event)
    assert _body(result)["trace_id"] == event["requestContext"]["requestId"]


def test_trace_id_falls_back_to_the_lambda_request_id(app: FastAPI) -> None:
    result = invoke(_handler_for(app), load_event("alb"), lambda_context("lambda-req-1"))
    assert _body(result)["trace_id"] == "lambda-req-1"


@pytest.mark.parametrize(
    ("shape", "stage"), [("http_v2", "dev"), ("rest_v1", "dev"), ("http_v2", None)]
)
def test_base_path_serves_health_docs_and_openapi(
    app_factory: AppFactory, shape: Any, stage: str | None
) -> None:
    handler = _handler_for(app_factory(api_base_path="/dev"))

    def get(path: str) -> dict[str, Any]:
        result: dict[str, Any] = invoke(handler, build_event(shape, "GET", path, stage=stage))
        return result

    # The builder puts a named HTTP API stage into rawPath; a REST stage stays out of path.
    assert get("/health")["statusCode"] == 200
    docs = get("/docs")
    assert docs["statusCode"] == 200
    assert "/dev/openapi.json" in docs["body"]
    openapi = json.loads(get("/openapi.json")["body"])
    assert openapi["servers"] == [{"url": "/dev"}]


def test_base_path_is_stripped_by_whole_segment_only(app_factory: AppFactory) -> None:
    app = app_factory(api_base_path="/dev")

    @app.get("/devices")
    async def devices() -> dict[str, bool]:
        return {"devices": True}

    handler = _handler_for(app)
    staged = invoke(handler, build_event("http_v2", "GET", "/devices", stage="dev"))
    assert json.loads(staged["body"]) == {"devices": True}


def test_warmup_event_returns_at_once(app: FastAPI) -> None:
    assert invoke(_handler_for(app), load_event("scheduled_warmup")) == {
        "ok": True,
        "action": "warmup",
    }


def test_unknown_event_gets_a_clear_error(app: FastAPI) -> None:
    result = invoke(_handler_for(app), {"something": "else"})
    assert result["ok"] is False
    assert "Unsupported event" in result["error"]
