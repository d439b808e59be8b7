"""The pre-traffic hook end to end, without AWS: the new version is the real app behind
scripts/lambda_server.py (the Lambda Invoke API), CodeDeploy a stand-in recording the status the
hook reports. Failed means CodeDeploy leaves all traffic on the previous version."""

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app import pre_traffic
from app.core import aws
from tests.support.http_stub import HttpStub, RecordedRequest, http_stub
from tests.support.lambda_process import lambda_serving
from tests.support.ports import closed_port

VERSION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:fastapi-lambda-development:8"
CODEDEPLOY_EVENT = {"DeploymentId": "d-EXAMPLE11", "LifecycleEventHookExecutionId": "hook-1"}
# What the template gives the function and its hook alike (Globals), on a stage path.
SHARED = {"API_BASE_PATH": "/dev", "RELEASE": "0123abc"}


def _acknowledge(request: RecordedRequest) -> tuple[int, object]:
    return 200, {
        "lifecycleEventHookExecutionId": json.loads(request.body)["lifecycleEventHookExecutionId"]
    }


@pytest.fixture
def codedeploy(aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[HttpStub]:
    """The CodeDeploy API stand-in, and the hook's environment pointing its SDK at it."""
    with http_stub(_acknowledge) as stub:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CODEDEPLOY", f"http://127.0.0.1:{stub.port}")
        monkeypatch.setenv(pre_traffic.TARGET_VARIABLE, VERSION_ARN)
        monkeypatch.setenv(pre_traffic.MIGRATE_VARIABLE, "true")
        for name, value in SHARED.items():
            monkeypatch.setenv(name, value)
        aws.forget_clients()
        yield stub


def run_hook(
    version_env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    event: dict[str, Any] = CODEDEPLOY_EVENT,
) -> dict[str, Any]:
    """The hook's answer when the new version runs with `version_env` (its store URLs)."""
    env = {"ENVIRONMENT": "testing", **SHARED, **version_env}
    with lambda_serving(env, tmp_path / "version.log") as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", endpoint)
        aws.forget_clients()
        return pre_traffic.handler(event, None)


def reported(codedeploy: HttpStub) -> list[str]:
    """The statuses the hook sent CodeDeploy for this deployment."""
    calls = [json.loads(request.body) for request in codedeploy.requests]
    assert all(
        request.headers["x-amz-target"]
        == "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus"
        for request in codedeploy.requests
    )
    assert all(call["deploymentId"] == CODEDEPLOY_EVENT["DeploymentId"] for call in calls)
    return [call["status"] for call in calls]


def test_a_good_version_is_migrated_and_checked_before_it_takes_traffic(
    codedeploy: HttpStub,
    empty_database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a new version whose database has no schema yet, and no MongoDB or Redis named
    answer = run_hook({"POSTGRESQL_URL": empty_database_url}, tmp_path, monkeypatch)

    # Then CodeDeploy hears Succeeded after the migrations, the readiness and release checks
    assert reported(codedeploy) == ["Succeeded"]
    assert answer["ok"] is True
    assert [check["name"] for check in answer["checks"]] == ["migrations", "readiness", "release"]
    assert answer["checks"][1]["detail"] == "ready: postgresql"
    assert answer["checks"][2]["detail"] == "release 0123abc"
    plain_url = make_url(empty_database_url).set(drivername="postgresql")
    with psycopg.connect(plain_url.render_as_string(hide_password=False)) as connection:
        head = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert head is not None
    assert answer["checks"][0]["detail"].endswith(f"head {head[0]}")


def test_a_failed_migration_reports_failed_and_sends_no_request(
    codedeploy: HttpStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a new version whose database cannot be reached (the password must not be shown)
    down = f"postgresql+psycopg://app:s3cret@127.0.0.1:{closed_port()}/app"

    answer = run_hook({"POSTGRESQL_URL": down}, tmp_path, monkeypatch)

    # Then CodeDeploy hears Failed, and the version got no request after the migrations
    assert reported(codedeploy) == ["Failed"]
    (check,) = answer["checks"]
    assert (check["name"], check["ok"]) == ("migrations", False)
    assert check["detail"].startswith("Unhandled error:")
    assert "s3cret" not in json.dumps(answer)
    assert "/health/ready" not in (tmp_path / "version.log").read_text()


def test_a_failed_readiness_request_reports_failed(
    codedeploy: HttpStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a new version that migrates, but whose Redis is down
    redis_down = f"redis://127.0.0.1:{closed_port()}/0"
    version_env = {"POSTGRESQL_URL": os.environ["POSTGRESQL_URL"], "REDIS_URL": redis_down}

    answer = run_hook(version_env, tmp_path, monkeypatch)

    assert reported(codedeploy) == ["Failed"]
    assert [(check["name"], check["ok"]) for check in answer["checks"]] == [
        ("migrations", True),
        ("readiness", False),
    ]
    assert answer["checks"][1]["detail"] == (
        "GET /health/ready answered 503: Service is not ready (redis (ConnectionError))"
    )


def test_a_version_without_the_migrate_job_reports_failed(
    codedeploy: HttpStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a version whose handler does not know {"action": "migrate"} (another image)
    (tmp_path / "other_handler.py").write_text(
        "def handler(event, context):\n"
        "    return {'ok': False, 'error': 'Unsupported event: got keys: action'}\n"
    )
    with lambda_serving(
        {"PYTHONPATH": str(tmp_path)}, tmp_path / "v.log", "other_handler.handler"
    ) as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", url)
        aws.forget_clients()
        answer = pre_traffic.handler(CODEDEPLOY_EVENT, None)

    assert reported(codedeploy) == ["Failed"]
    (check,) = answer["checks"]
    assert check["detail"].startswith("migrations answered {'ok': False")


def test_a_hook_that_cannot_reach_lambda_reports_failed(
    codedeploy: HttpStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", f"http://127.0.0.1:{closed_port()}")
    aws.forget_clients()

    answer = pre_traffic.handler(CODEDEPLOY_EVENT, None)

    assert reported(codedeploy) == ["Failed"]
    (check,) = answer["checks"]
    assert check["detail"].startswith("EndpointConnectionError: Could not connect")


@pytest.mark.parametrize(
    ("setting", "failure"),
    [
        # Configured for the root while the gateway sends the stage path
        ({"API_BASE_PATH": ""}, "GET /health/ready answered 404:"),
        ({"RELEASE": "an-older-release"}, "GET / answered release an-older-release, not 0123abc"),
    ],
    ids=["another base path", "another release"],
)
def test_a_version_configured_otherwise_reports_failed(
    codedeploy: HttpStub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    setting: dict[str, str],
    failure: str,
) -> None:
    version_env = {"POSTGRESQL_URL": os.environ["POSTGRESQL_URL"], **setting}

    answer = run_hook(version_env, tmp_path, monkeypatch)

    assert reported(codedeploy) == ["Failed"]
    assert answer["checks"][-1]["ok"] is False
    assert answer["checks"][-1]["detail"].startswith(failure)


def test_without_postgresql_it_runs_no_migrations(
    codedeploy: HttpStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a service that dropped PostgreSQL (the template then sets PRE_TRAFFIC_MIGRATE=false)
    monkeypatch.setenv(pre_traffic.MIGRATE_VARIABLE, "false")

    answer = run_hook({"REDIS_URL": os.environ["REDIS_URL"]}, tmp_path, monkeypatch)

    assert reported(codedeploy) == ["Succeeded"]
    assert [check["name"] for check in answer["checks"]] == ["readiness", "release"]
    assert answer["checks"][0]["detail"] == "ready: redis"


def test_invoked_without_a_deployment_it_only_answers(
    codedeploy: HttpStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given CD's call after a stack's first deploy (CodeDeploy does not run on a create)
    answer = run_hook(
        {"POSTGRESQL_URL": os.environ["POSTGRESQL_URL"]}, tmp_path, monkeypatch, event={}
    )

    assert answer["ok"] is True
    assert codedeploy.requests == []
