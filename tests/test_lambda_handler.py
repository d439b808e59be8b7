"""The Lambda entry `app.main.handler`: HTTP events through Mangum, stages, non-HTTP events."""

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import Response as RawResponse

from app.lambda_handler import build_handler
from tests.conftest import AppFactory
from tests.support.emf import validate_emf
from tests.support.lambda_events import build_event, lambda_context, load_event
from tests.support.lambda_transport import SyncLambdaTransport, invoke, run_on_handler_thread

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


def _stage_root(shape: Any, path: str) -> dict[str, Any]:
    """A GET of the API root through the `dev` stage, with `path` as the event carries it."""
    event = build_event(shape, "GET", "/", stage="dev")
    if shape == "http_v2":
        event["rawPath"] = event["requestContext"]["http"]["path"] = path
    else:
        event["path"] = path
    return event


@pytest.mark.parametrize(
    ("shape", "path"),
    [
        ("http_v2", "/dev"),  # https://<api>.execute-api.<region>.amazonaws.com/dev
        ("rest_v1", "/"),  # REST APIs keep the stage out of the path
        ("rest_v1", "/dev"),  # a custom domain's base path mapping keeps it in
    ],
)
def test_the_stage_root_without_a_slash_answers_as_with_one(
    app_factory: AppFactory, shape: Any, path: str
) -> None:
    handler = _handler_for(app_factory(api_base_path="/dev"))
    bare = invoke(handler, _stage_root(shape, path))
    slashed = invoke(handler, _stage_root(shape, f"{path.rstrip('/')}/"))
    assert bare["statusCode"] == slashed["statusCode"] == 200, bare
    assert _body(bare)["data"] == _body(slashed)["data"]
    assert _body(bare)["data"]["docs_url"] == "/dev/docs"


def test_base_path_is_stripped_by_whole_segment_only(app_factory: AppFactory) -> None:
    app = app_factory(api_base_path="/dev")

    @app.get("/devices")
    async def devices() -> dict[str, bool]:
        return {"devices": True}

    handler = _handler_for(app)
    staged = invoke(handler, build_event("http_v2", "GET", "/devices", stage="dev"))
    assert json.loads(staged["body"]) == {"devices": True}


def test_warmup_event_returns_at_once_and_writes_its_line(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = _handler_for(app_factory(log_json=True))
    for _ in range(2):
        result = invoke(handler, load_event("scheduled_warmup"), lambda_context("warm-1"))
        assert result == {"ok": True, "action": "warmup"}
    first, second = _lines(capsys.readouterr().out, "invocation")
    # A warm-up that starts a sandbox is its cold start, counted like a request's.
    assert (first["invocation"], first["cold_start"], second["cold_start"]) == (
        "warmup",
        True,
        False,
    )
    assert first["trace_id"] == "warm-1"
    data = validate_emf(first)
    assert {(datum.name, datum.unit) for datum in data} == {
        ("Duration", "Milliseconds"),
        ("ColdStart", "Count"),
    }
    assert {datum.dimensions for datum in data} == {
        (("Service", "app"), ("Environment", "testing")),
        (("Service", "app"), ("Environment", "testing"), ("Invocation", "warmup")),
    }


def test_unknown_event_gets_a_clear_error(app: FastAPI) -> None:
    result = invoke(_handler_for(app), {"something": "else"})
    assert result["ok"] is False
    assert "Unsupported event" in result["error"]
    assert "got keys: something" in result["error"]


@pytest.mark.parametrize("event", ["hello", [1, 2], 42, 1.5, True, None])
def test_an_event_that_is_not_a_json_object_gets_a_clear_error(app: FastAPI, event: object) -> None:
    handler = _handler_for(app)
    result = run_on_handler_thread(lambda: handler(event, lambda_context()))
    assert result["ok"] is False
    assert f"got a {type(event).__name__}, not a JSON object" in result["error"]


def _crashing_app(app_factory: AppFactory, **overrides: Any) -> FastAPI:
    app = app_factory(**overrides)

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("secret")

    return app


def test_unhandled_error_returns_500_and_logs_json_with_request_ids(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = _handler_for(_crashing_app(app_factory, log_json=True, log_level="INFO"))
    event = build_event("http_v2", "GET", "/crash")
    result = invoke(handler, event, lambda_context("aws-req-9"))
    assert result["statusCode"] == 500
    assert "secret" not in result["body"]
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    (error,) = [line for line in lines if line.get("level") == "ERROR"]
    assert error["trace_id"] == event["requestContext"]["requestId"]
    assert error["aws_request_id"] == "aws-req-9"
    assert "RuntimeError: secret" in error["exception"]


def _lines(output: str, logger: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    return [line for line in lines if line["logger"] == logger]


def test_an_unhandled_error_keeps_its_envelope_and_is_counted_on_its_line(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = _handler_for(_crashing_app(app_factory, service_name="books-api", log_json=True))
    result = invoke(handler, build_event("http_v2", "GET", "/crash"), lambda_context())
    # The client's answer is the envelope, not a runtime error that API Gateway would replace.
    assert result["statusCode"] == 500
    body = _body(result)
    assert body["data"]["internal_error"]["code"] == 100
    (line,) = _lines(capsys.readouterr().out, "access")
    data = validate_emf(line)
    assert (line["trace_id"], line["status"], line["code"]) == (body["trace_id"], 500, 100)
    counted = {datum.name: datum.values for datum in data if len(datum.dimensions) == 2}
    assert counted["UnhandledErrors"] == (1,)
    assert counted["ServerErrors"] == (1,)
    assert {datum.namespace for datum in data} == {"books-api"}


def test_handled_errors_are_not_counted_as_unhandled(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = _handler_for(_crashing_app(app_factory, log_json=True))
    assert invoke(handler, build_event("http_v2", "GET", "/nope"))["statusCode"] == 404
    (line,) = _lines(capsys.readouterr().out, "access")
    assert "UnhandledErrors" not in line
    assert "UnhandledErrors" not in {datum.name for datum in validate_emf(line)}


def test_cold_start_is_true_only_for_the_first_invocation(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = _handler_for(app_factory(log_json=True, log_level="INFO"))
    for _ in range(2):
        invoke(handler, load_event("http_api_v2"), lambda_context())
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    access = [line for line in lines if line["logger"] == "access"]
    assert [line["cold_start"] for line in access] == [True, False]
    assert {line["function_name"] for line in access} == {"app-test"}


def test_migrate_job_runs_the_migrations(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    app = app_factory(log_json=True)
    result = invoke(_handler_for(app), load_event("migrate"))
    assert result["ok"] is True
    assert result["action"] == "migrate"
    assert result["head"]
    assert isinstance(result["applied"], list)
    (line,) = _lines(capsys.readouterr().out, "invocation")
    assert (line["invocation"], line["level"]) == ("migrate", "INFO")
    values = {datum.name: datum.values for datum in validate_emf(line)}
    assert values["MigrationsApplied"] == (len(result["applied"]),)
    assert values["Duration"] == (line["duration_ms"],)
    # The sandbox's event loop survives the job: HTTP still works afterwards.
    assert invoke(_handler_for(app), load_event("http_api_v2"))["statusCode"] == 200


def test_migrate_job_fails_loudly_when_the_database_is_down(
    app_factory: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    app = app_factory(postgresql_url="postgresql+psycopg://postgres@127.0.0.1:9/app", log_json=True)
    with pytest.raises(Exception, match=r"(?i)connect|refused"):
        invoke(_handler_for(app), load_event("migrate"))
    # Its line is written all the same, with what failed.
    (line,) = _lines(capsys.readouterr().out, "invocation")
    assert (line["level"], line["error"]) == ("ERROR", "OperationalError")
    assert "MigrationsApplied" not in line
    validate_emf(line)


def _round_trip_app(app_factory: AppFactory) -> FastAPI:
    app = app_factory()

    @app.post("/echo")
    async def echo(request: Request) -> RawResponse:
        body = await request.body()
        payload = {
            "tags": request.query_params.getlist("tag"),
            "accept": request.headers.getlist("accept"),
            "cookies": dict(request.cookies),
            "body_hex": body.hex(),
        }
        response = RawResponse(json.dumps(payload), media_type="application/json")
        response.set_cookie("first", "1")
        response.set_cookie("second", "2")
        return response

    @app.get("/cover.bin")
    async def cover() -> RawResponse:
        return RawResponse(bytes(range(256)), media_type="application/octet-stream")

    return app


@pytest.mark.parametrize("shape", ["http_v2", "rest_v1", "alb_multi", "function_url"])
def test_multi_values_cookies_and_binary_survive_the_round_trip(
    app_factory: AppFactory, shape: Any
) -> None:
    handler = _handler_for(_round_trip_app(app_factory))
    with httpx.Client(
        transport=SyncLambdaTransport(handler, shape=shape),
        base_url="http://testserver",
        cookies={"session": "s1", "theme": "dark"},
    ) as client:
        echoed = client.post(
            "/echo?tag=a&tag=b",
            content=bytes([0, 255, 1, 254]),
            headers=[("accept", "text/plain"), ("accept", "application/json")],
        )
        cover = client.get("/cover.bin")
    data = echoed.json()
    assert data["tags"] == ["a", "b"]
    assert ",".join(data["accept"]).replace(" ", "") == "text/plain,application/json"
    assert data["cookies"] == {"session": "s1", "theme": "dark"}
    assert data["body_hex"] == "00ff01fe"
    assert sorted(echoed.headers.get_list("set-cookie")) == [
        "first=1; Path=/; SameSite=lax",
        "second=2; Path=/; SameSite=lax",
    ]
    assert cover.content == bytes(range(256))
