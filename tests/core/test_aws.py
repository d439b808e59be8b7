"""AWS clients: made once per service from the default chain and AWS_ENDPOINT_URL, against
moto's server over real HTTP."""

import uuid

import pytest

from app.core import aws


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
