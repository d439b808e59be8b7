"""AWS clients: made once per service from the default chain and AWS_ENDPOINT_URL, against
moto's server over real HTTP."""

import json
import uuid
from pathlib import Path

import pytest

from app.core import aws
from tests.support.lambda_process import lambda_serving


def test_a_client_reaches_the_endpoint_the_environment_names(aws_endpoint: str) -> None:
    sqs = aws.sqs()
    name = f"probe-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert name in url
    assert name in " ".join(sqs.list_queues(QueueNamePrefix=name)["QueueUrls"])


def test_each_service_has_one_client_until_forgotten(aws_endpoint: str) -> None:
    first = aws.sqs()
    assert aws.sqs() is first
    assert aws.client("secretsmanager") is not aws.client("sqs")
    aws.forget_clients()
    assert aws.sqs() is not first


def test_a_client_is_bounded_by_short_timeouts(aws_endpoint: str) -> None:
    config = aws.sqs().meta.config
    assert config.connect_timeout == aws.CONNECT_TIMEOUT_SECONDS  # type: ignore[attr-defined]
    assert config.read_timeout == aws.READ_TIMEOUT_SECONDS  # type: ignore[attr-defined]


def test_import_sdk_creates_no_client(monkeypatch: pytest.MonkeyPatch) -> None:
    aws.forget_clients()
    aws.import_sdk()
    assert aws._clients == {}


def test_a_lambda_invoke_waits_for_the_function_to_finish(
    aws_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a function that answers after the other services' read timeout (a long migration)
    seconds = aws.READ_TIMEOUT_SECONDS + 1
    (tmp_path / "slow_handler.py").write_text(
        "import time\n\n"
        f"def handler(event, context):\n    time.sleep({seconds})\n    return 'done'\n"
    )
    env = {"PYTHONPATH": str(tmp_path)}
    with lambda_serving(env, tmp_path / "lambda.log", "slow_handler.handler") as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", endpoint)
        aws.forget_clients()

        # When it is invoked, Then its answer arrives, once
        answer = aws.lambda_().invoke(FunctionName="slow", Payload=b"{}")

    assert json.loads(answer["Payload"].read()) == "done"
    assert (tmp_path / "lambda.log").read_text().count(" 200 ") == 1
