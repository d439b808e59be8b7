"""Logs: one JSON object per line with the trace id; standard logging routed into loguru."""

import json
import logging
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI
from loguru import logger

from app.core.context import LambdaInvocation, lambda_invocation_var, trace_id_var
from app.core.logging import configure_logging
from app.lambda_handler import build_handler
from tests.conftest import AppFactory, SettingsFactory, app_client
from tests.support.lambda_events import build_event, lambda_context
from tests.support.lambda_transport import invoke, run_on_handler_thread


def _json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_json_lines_carry_context_and_lambda_fields(
    capsys: pytest.CaptureFixture[str], settings_factory: SettingsFactory
) -> None:
    configure_logging(settings_factory(log_json=True, log_level="INFO"))
    trace = trace_id_var.set("trace-1")
    invocation = lambda_invocation_var.set(
        LambdaInvocation(aws_request_id="req-1", function_name="fn", cold_start=True)
    )
    try:
        logger.info("hello {}", "world")
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed")
    finally:
        trace_id_var.reset(trace)
        lambda_invocation_var.reset(invocation)
    first, second = _json_lines(capsys.readouterr().out)
    assert first["message"] == "hello world"
    assert first["level"] == "INFO"
    assert first["trace_id"] == "trace-1"
    assert first["logger"] == __name__
    assert first["aws_request_id"] == "req-1"
    assert first["function_name"] == "fn"
    assert first["cold_start"] is True
    assert second["level"] == "ERROR"
    assert "ValueError: boom" in str(second["exception"])


def test_standard_logging_is_routed(
    capsys: pytest.CaptureFixture[str], settings_factory: SettingsFactory
) -> None:
    configure_logging(settings_factory(log_json=True, log_level="INFO"))
    logging.getLogger("sqlalchemy.engine").warning("pool %s", "exhausted")
    logging.getLogger("uvicorn.error").debug("below the level")
    (line,) = _json_lines(capsys.readouterr().out)
    assert line["logger"] == "sqlalchemy.engine"
    assert line["message"] == "pool exhausted"
    assert line["level"] == "WARNING"
    assert line["trace_id"] == "-"


def test_lambda_runtime_forces_json(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    settings_factory: SettingsFactory,
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "fn")
    configure_logging(settings_factory(log_json=False, log_level="INFO"))
    logger.info("on lambda")
    assert _json_lines(capsys.readouterr().out)[0]["message"] == "on lambda"


def test_human_format_locally(
    capsys: pytest.CaptureFixture[str], settings_factory: SettingsFactory
) -> None:
    configure_logging(settings_factory(log_json=False, log_level="INFO"))
    trace = trace_id_var.set("trace-2")
    try:
        logger.info("readable")
    finally:
        trace_id_var.reset(trace)
    err = capsys.readouterr().err
    assert "readable" in err
    assert "[trace-2]" in err
    assert not err.startswith("{")


async def test_request_logs_share_the_trace_id(
    capsys: pytest.CaptureFixture[str], app_factory: AppFactory
) -> None:
    app = app_factory(log_json=True, log_level="INFO")

    @app.get("/work")
    async def work() -> dict[str, bool]:
        logger.info("doing work")
        return {"ok": True}

    async with app_client(app) as client:
        await client.get("/work", headers={"X-Request-ID": "req-42"})
    # The test's own HTTP client logs outside the request; only the app's lines count.
    lines = [line for line in _json_lines(capsys.readouterr().out) if line["logger"] != "httpx"]
    assert lines[0]["message"] == "doing work"
    assert {line["trace_id"] for line in lines} == {"req-42"}, lines
    access = next(line for line in lines if line["logger"] == "access")
    assert access["status"] == 200
    assert access["path"] == "/work"


def _invoke_on_lambda(app: FastAPI, request_id: str) -> None:
    handler = run_on_handler_thread(lambda: build_handler(app, app.state.settings))
    event = build_event("http_v2", "GET", "/work", headers={"X-Request-ID": "trace-9"})
    result = invoke(handler, event, lambda_context(request_id, function_name="fn"))
    assert result["statusCode"] == 200


def _app_logging_in_route(app_factory: AppFactory, **settings: Any) -> FastAPI:
    app = app_factory(**settings)

    @app.get("/work")
    async def work() -> dict[str, bool]:
        logger.warning("working")
        return {"ok": True}

    return app


def test_json_access_line_has_the_fields_of_every_other_line(
    capsys: pytest.CaptureFixture[str], app_factory: AppFactory
) -> None:
    _invoke_on_lambda(_app_logging_in_route(app_factory, log_json=True, log_level="INFO"), "r-1")
    lines = _json_lines(capsys.readouterr().out)
    (access,) = [line for line in lines if line["logger"] == "access"]
    (route,) = [line for line in lines if line["message"] == "working"]
    context = {"trace_id": "trace-9", "aws_request_id": "r-1", "function_name": "fn"}
    assert {key: access[key] for key in context} == context
    assert access["cold_start"] is True
    assert access["level"] == "INFO"
    assert (access["method"], access["path"], access["status"]) == ("GET", "/work", 200)
    assert isinstance(access["latency_ms"], float)
    assert access["message"] == f"GET /work 200 {access['latency_ms']}ms"
    # One format: same leading keys, same context fields, same timestamp shape.
    leading = ["timestamp", "level", "logger", "message", "trace_id"]
    assert list(access)[:5] == list(route)[:5] == leading
    assert {key: route[key] for key in context} == context
    for line in (access, route):
        assert datetime.fromisoformat(str(line["timestamp"])).utcoffset() is not None


def test_the_json_access_line_is_written_whatever_the_level(
    capsys: pytest.CaptureFixture[str], app_factory: AppFactory
) -> None:
    # It carries the request's metrics: LOG_LEVEL governs only the other lines.
    app = _app_logging_in_route(app_factory, log_json=True, log_level="ERROR")
    _invoke_on_lambda(app, "r")
    lines = _json_lines(capsys.readouterr().out)
    assert [line["logger"] for line in lines] == ["access"]


async def test_no_text_access_line_above_info(
    capsys: pytest.CaptureFixture[str], app_factory: AppFactory
) -> None:
    app = app_factory(log_json=False, log_level="WARNING")
    async with app_client(app) as client:
        await client.get("/health")
    assert " access " not in capsys.readouterr().err


async def test_human_access_line_goes_through_loguru(
    capsys: pytest.CaptureFixture[str], app_factory: AppFactory
) -> None:
    app = app_factory(log_json=False, log_level="INFO")
    records: list[dict[str, Any]] = []
    sink = logger.add(lambda message: records.append(message.record["extra"]), level="INFO")
    try:
        async with app_client(app) as client:
            await client.get("/health", headers={"X-Request-ID": "human-1"})
    finally:
        logger.remove(sink)
    (access,) = [extra for extra in records if extra["logger"] == "access"]
    assert access["trace_id"] == "human-1"
    assert access["status"] == 200
    output = capsys.readouterr()
    assert "access [human-1] GET /health 200 " in output.err
    assert output.out == ""


async def test_a_path_cannot_forge_a_line_or_drive_the_terminal(
    capsys: pytest.CaptureFixture[str], app_factory: AppFactory
) -> None:
    app = app_factory(log_json=False, log_level="INFO")
    async with app_client(app) as client:
        # Percent-encoded CR, LF and an ANSI colour code: decoded into the ASGI path
        await client.get("/health%0D%0A12:00:00.000 INFO forged line%1B[31m")
    err = capsys.readouterr().err
    (access,) = [line for line in err.splitlines() if " access " in line]
    assert "\\x0d\\x0a12:00:00.000 INFO forged line\\x1b[31m" in access
    assert "\x1b[31m" not in err
    assert not any(line.startswith("12:00:00.000 INFO forged") for line in err.splitlines())


def test_uvicorn_access_records_are_dropped(
    capsys: pytest.CaptureFixture[str], settings_factory: SettingsFactory
) -> None:
    # uvicorn routes its own access line through the standard logging; the app writes one
    configure_logging(settings_factory(log_json=False, log_level="INFO"))
    logging.getLogger("uvicorn.access").info('127.0.0.1:5000 - "GET /health HTTP/1.1" 200')
    logging.getLogger("uvicorn.error").info("Application startup complete.")
    err = capsys.readouterr().err
    assert "GET /health HTTP/1.1" not in err
    assert "Application startup complete." in err
