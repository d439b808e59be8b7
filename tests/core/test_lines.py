"""The one line per request on Lambda: its fields, and the EMF document it also is (checked
against the specification by tests/support/emf.py), from cold starts to domain metrics."""

import json
from typing import Any

import pytest
from fastapi import FastAPI
from loguru import logger

from app.core import metrics, sandbox
from app.lambda_handler import build_handler
from tests.conftest import AppFactory, app_client
from tests.support.emf import Datum, validate_emf
from tests.support.lambda_events import build_event, lambda_context
from tests.support.lambda_transport import invoke, run_on_handler_thread

REQUEST_METRICS = {
    "Latency": "Milliseconds",
    "Requests": "Count",
    "ClientErrors": "Count",
    "ServerErrors": "Count",
    "ColdStart": "Count",
}
TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def _lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def _access_lines(output: str) -> list[dict[str, Any]]:
    return [line for line in _lines(output) if line["logger"] == "access"]


def _handler(app: FastAPI) -> Any:
    return run_on_handler_thread(lambda: build_handler(app, app.state.settings))


def _values(data: list[Datum], dimensions: tuple[str, ...]) -> dict[str, tuple[float, ...]]:
    """Each metric's values for one dimension set (by its keys)."""
    return {
        datum.name: datum.values
        for datum in data
        if tuple(key for key, _ in datum.dimensions) == dimensions
    }


def _served(app: FastAPI, capsys: pytest.CaptureFixture[str], *paths: str) -> list[dict[str, Any]]:
    handler = _handler(app)
    for path in paths:
        invoke(handler, build_event("http_v2", "GET", path), lambda_context())
    return _access_lines(capsys.readouterr().out)


def test_the_access_line_is_an_emf_document_with_the_request_metrics(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    app = app_factory(log_json=True, service_name="books-api", environment="testing")
    (line,) = _served(app, capsys, "/health")

    data = validate_emf(line)
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "books-api"
    assert directive["Dimensions"] == [
        ["Service", "Environment"],
        ["Service", "Environment", "Route"],
    ]
    assert {datum.name: datum.unit for datum in data} == REQUEST_METRICS
    assert {datum.dimensions for datum in data} == {
        (("Service", "books-api"), ("Environment", "testing")),
        (("Service", "books-api"), ("Environment", "testing"), ("Route", "/health")),
    }
    per_route = _values(data, ("Service", "Environment", "Route"))
    assert per_route == {
        "Latency": (line["latency_ms"],),
        "Requests": (1,),
        "ClientErrors": (0,),
        "ServerErrors": (0,),
        "ColdStart": (1,),
    }
    assert per_route == _values(data, ("Service", "Environment"))
    fields = ("trace_id", "method", "status", "latency_ms", "route", "cold_start")
    assert {key: line[key] for key in fields if key != "latency_ms"} == {
        "trace_id": line["trace_id"],
        "method": "GET",
        "status": 200,
        "route": "/health",
        "cold_start": True,
    }
    assert "code" not in line


def test_the_namespace_is_a_setting(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    (line,) = _served(app_factory(log_json=True, metrics_namespace="Shop/Books"), capsys, "/health")
    assert {datum.namespace for datum in validate_emf(line)} == {"Shop/Books"}


def test_the_route_is_the_template_and_errors_carry_their_code(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str], closed_port_postgresql_url: str
) -> None:
    app = app_factory(log_json=True, postgresql_url=closed_port_postgresql_url)
    book = "/v1/books/6b1f3f52-2c1d-4f4e-9a59-0b3d5e1a7c01"
    down, unknown, other_unknown, docs = _served(
        app, capsys, book, "/v1/nothing/here", "/nope", "/docs"
    )

    assert (down["route"], down["path"], down["status"], down["code"]) == (
        "/v1/books/{book_id}",
        book,
        503,
        9001,
    )
    assert down["Route"] == "/v1/books/{book_id}"
    assert _values(validate_emf(down), ("Service", "Environment", "Route")) == {
        "Latency": (down["latency_ms"],),
        "Requests": (1,),
        "ClientErrors": (0,),
        "ServerErrors": (1,),
        "ColdStart": (1,),
        "PostgresqlUnavailable": (1,),
    }
    # Every path no route has: one value, so scanners cannot multiply the metrics.
    assert unknown["route"] == other_unknown["route"] == "unmatched"
    assert docs["route"] == "/docs"
    assert (unknown["status"], unknown["code"]) == (404, 8002)
    assert _values(validate_emf(unknown), ("Service", "Environment"))["ClientErrors"] == (1,)


def test_a_request_refused_before_routing_names_its_route(
    app_factory: AppFactory, auth_overrides: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # The authentication middleware answers 401 before the router runs.
    (line,) = _served(app_factory(log_json=True, **auth_overrides), capsys, "/v1/books")
    assert (line["status"], line["code"], line["route"]) == (401, 8012, "/v1/books")


def test_cold_start_then_warm_then_a_snapstart_restore(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = _handler(app_factory(log_json=True))
    for _ in range(2):
        invoke(handler, build_event("http_v2", "GET", "/health"), lambda_context())
    sandbox.restored()  # the after-restore hook (app/snapstart.py)
    for _ in range(2):
        invoke(handler, build_event("http_v2", "GET", "/health"), lambda_context())

    lines = _access_lines(capsys.readouterr().out)
    assert [line["cold_start"] for line in lines] == [True, False, False, False]
    assert [line.get("restore", False) for line in lines] == [False, False, True, False]
    counted = [_values(validate_emf(line), ("Service", "Environment")) for line in lines]
    assert [values["ColdStart"] for values in counted] == [(1,), (0,), (0,), (0,)]
    assert [values.get("Restore") for values in counted] == [None, None, (1,), None]


def test_every_line_of_an_invocation_carries_the_xray_trace_id(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_factory(log_json=True, log_level="INFO")

    @app.get("/work")
    async def work() -> dict[str, bool]:
        logger.info("working")
        return {"ok": True}

    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE_HEADER)
    event = build_event("http_v2", "GET", "/work", headers={"X-Request-ID": "client-7"})
    invoke(_handler(app), event, lambda_context())
    lines = _lines(capsys.readouterr().out)
    assert [line["logger"] for line in lines] == [__name__, "access"]
    assert {(line["trace_id"], line["xray_trace_id"]) for line in lines} == {
        ("client-7", "1-5759e988-bd862e3fe1be46a994272793")
    }


def test_code_adds_counts_and_values_to_the_request_line(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    app = app_factory(log_json=True)

    @app.get("/import")
    async def import_rows() -> dict[str, bool]:
        metrics.count("RowsImported", 40)
        metrics.count("RowsImported", 2)
        metrics.value("BatchBytes", 512, "Bytes")
        metrics.value("BatchBytes", 128, "Bytes")
        return {"ok": True}

    (line,) = _served(app, capsys, "/import")
    data = validate_emf(line)
    assert _values(data, ("Service", "Environment", "Route"))["RowsImported"] == (42,)
    assert _values(data, ("Service", "Environment"))["BatchBytes"] == (512, 128)
    assert {datum.name: datum.unit for datum in data} == {
        **REQUEST_METRICS,
        "RowsImported": "Count",
        "BatchBytes": "Bytes",
    }


def test_a_line_stays_within_the_specification_limits(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    app = app_factory(log_json=True)
    refused: list[str] = []

    @app.get("/many")
    async def many() -> dict[str, bool]:
        for size in range(150):
            metrics.value("Size", size)  # EMF takes 100 values: the rest are dropped
        for index in range(metrics.MAX_ADDED_METRICS):
            try:
                metrics.count(f"Thing{index}")
            except ValueError as error:
                refused.append(str(error))
        return {"ok": True}

    (line,) = _served(app, capsys, "/many")
    data = validate_emf(line)
    assert len(line["_aws"]["CloudWatchMetrics"][0]["Metrics"]) == len(REQUEST_METRICS) + 90
    assert refused == ["more than 90 metrics on one line: Thing89"]
    assert _values(data, ("Service", "Environment"))["Size"] == tuple(range(100))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: metrics.count("status"), "PascalCase"),
        (lambda: metrics.count("Latency"), "not one of the app's own"),
        (lambda: metrics.count("Route"), "not one of the app's own"),
        (lambda: metrics.value("Size", float("nan")), "not a finite number"),
        (lambda: metrics.value("Size", 1, "Parsecs"), "not a CloudWatch unit"),  # type: ignore[arg-type]
    ],
)
def test_a_metric_that_would_break_the_document_is_refused(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str], call: Any, message: str
) -> None:
    app = app_factory(log_json=True)

    @app.get("/bad")
    async def bad() -> dict[str, bool]:
        with pytest.raises(ValueError, match=message):
            call()
        return {"ok": True}

    (line,) = _served(app, capsys, "/bad")
    assert line["status"] == 200
    validate_emf(line)


def test_outside_a_request_a_metric_goes_nowhere(capsys: pytest.CaptureFixture[str]) -> None:
    # A script calling a service: no line, no error
    metrics.count("Anything")
    metrics.value("AnyValue", 1.5, "Seconds")
    assert metrics.current_line.get() is None
    assert capsys.readouterr() == ("", "")


async def test_locally_the_same_fields_are_readable_text(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    app = app_factory(log_json=False, log_level="INFO")

    @app.get("/items/{item_id}")
    async def item(item_id: str) -> dict[str, str]:
        metrics.count("ItemsRead")
        return {"id": item_id}

    async with app_client(app) as client:
        await client.get("/items/7", headers={"X-Request-ID": "local-1"})
        await client.get("/nope", headers={"X-Request-ID": "local-2"})
    err = capsys.readouterr().err
    assert "access [local-1] GET /items/7 200 " in err
    assert "ms route=/items/{item_id} ItemsRead=1" in err
    assert "ms route=unmatched code=8002" in err


def test_an_invocation_line_after_a_restore_and_as_text(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = _handler(app_factory(log_json=True))
    sandbox.restored()
    invoke(handler, {"source": "aws.events"}, lambda_context())
    (line,) = [line for line in _lines(capsys.readouterr().out) if line["logger"] == "invocation"]
    assert (line["restore"], line["cold_start"]) == (True, False)
    assert _values(validate_emf(line), ("Service", "Environment"))["Restore"] == (1,)

    handler = _handler(app_factory(log_json=False, log_level="INFO"))
    invoke(handler, {"source": "aws.events"}, lambda_context("warm-9"))
    err = capsys.readouterr().err
    assert "invocation [warm-9] warmup " in err
    assert "ms invocation=warmup cold_start=true" in err
