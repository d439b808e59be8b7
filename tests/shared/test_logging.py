"""Logs: one JSON object per line with the trace id; standard logging routed into loguru."""

import json
import logging

import pytest
from loguru import logger

from app.shared.logging import configure_logging
from app.shared.request_context import LambdaInvocation, lambda_invocation_var, trace_id_var
from tests.conftest import AppFactory, SettingsFactory, app_client


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
