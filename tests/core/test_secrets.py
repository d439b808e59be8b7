"""Store URLs from plain variables, or from Secrets Manager through the Lambda extension."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from app.core.secrets import SecretUnavailableError, read_secret, store_configured, store_url
from app.core.settings import load_settings
from tests.conftest import SettingsFactory
from tests.support.http_stub import RecordedRequest, http_stub

SECRETS = {
    "app/postgresql-url": "postgresql+psycopg://app:pw@db:5432/app",
    "app/mongo": '{"url": "mongodb://app:pw@mongo:27017/app", "other": 1}',
    "app/no-url": '{"username": "app", "password": "pw"}',
    "app/not-a-url": "pw",
}


def _extension(request: RecordedRequest) -> tuple[int, object]:
    if request.headers.get("x-aws-parameters-secrets-token") != "session-token":
        return 401, {"message": "missing token"}
    secret_id = request.path.split("secretId=", 1)[-1].replace("%2F", "/")
    if secret_id not in SECRETS:
        return 400, {"message": "not found"}
    return 200, {"Name": secret_id, "SecretString": SECRETS[secret_id]}


@pytest.fixture(autouse=True)
def extension(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[RecordedRequest]]:
    read_secret.cache_clear()
    with http_stub(_extension) as stub:
        monkeypatch.setenv("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", str(stub.port))
        monkeypatch.setenv("AWS_SESSION_TOKEN", "session-token")
        yield stub.requests
    read_secret.cache_clear()


def test_plain_url_wins(settings_factory: SettingsFactory) -> None:
    settings = settings_factory(redis_url="redis://h:6379/0", redis_url_secret_id="unused")
    assert store_url(settings, "redis") == "redis://h:6379/0"


def test_unconfigured_store_is_none(
    settings_factory: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    settings = settings_factory(redis_url=None)
    assert store_url(settings, "redis") is None
    assert not store_configured(settings, "redis")


def test_secret_is_read_once_per_sandbox(
    settings_factory: SettingsFactory, extension: list[RecordedRequest]
) -> None:
    settings = settings_factory(postgresql_url=None, postgresql_url_secret_id="app/postgresql-url")
    assert store_configured(settings, "postgresql")
    assert store_url(settings, "postgresql") == SECRETS["app/postgresql-url"]
    assert store_url(settings, "postgresql") == SECRETS["app/postgresql-url"]
    assert len(extension) == 1


def test_json_secret_yields_its_url(settings_factory: SettingsFactory) -> None:
    settings = settings_factory(mongo_url=None, mongo_url_secret_id="app/mongo")
    assert store_url(settings, "mongo") == "mongodb://app:pw@mongo:27017/app"


def test_missing_secret_fails_clearly_without_values() -> None:
    with pytest.raises(SecretUnavailableError, match="app/unknown") as raised:
        read_secret("app/unknown")
    assert "pw" not in str(raised.value)


def test_unreachable_extension_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "9")
    with pytest.raises(SecretUnavailableError, match="app/postgresql-url"):
        read_secret("app/postgresql-url")


@pytest.mark.parametrize("secret_id", ["app/no-url", "app/not-a-url"])
def test_a_secret_without_a_url_fails_clearly_without_values(secret_id: str) -> None:
    with pytest.raises(SecretUnavailableError, match=f"{secret_id}.*holds no URL") as raised:
        read_secret(secret_id)
    assert "pw" not in str(raised.value)


def test_a_failure_names_the_store_and_is_tried_again_next_time(
    settings_factory: SettingsFactory, extension: list[RecordedRequest]
) -> None:
    settings = settings_factory(redis_url=None, redis_url_secret_id="app/unknown")
    for _ in range(2):
        with pytest.raises(SecretUnavailableError) as raised:
            store_url(settings, "redis")
        assert raised.value.store == "redis"
    assert len(extension) == 2


@pytest.mark.parametrize("source", ["environment", ".env"])
def test_an_empty_url_variable_counts_as_unset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, source: str
) -> None:
    # Given POSTGRESQL_URL set but empty, next to the secret that should be used
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ENVIRONMENT", "local")
    monkeypatch.setenv("POSTGRESQL_URL_SECRET_ID", "app/postgresql-url")
    monkeypatch.delenv("POSTGRESQL_URL")
    if source == "environment":
        monkeypatch.setenv("POSTGRESQL_URL", "")
    else:
        (tmp_path / ".env").write_text("POSTGRESQL_URL=\nMONGO_URL=\n")
        monkeypatch.delenv("MONGO_URL", raising=False)
    settings = load_settings()
    # Then the secret is the URL, and an empty URL alone configures nothing
    assert store_url(settings, "postgresql") == SECRETS["app/postgresql-url"]
    if source == ".env":
        assert not store_configured(settings, "mongo")


def test_each_fetch_is_a_span_and_a_failure_is_recorded(spans: InMemorySpanExporter) -> None:
    read_secret("app/postgresql-url")
    read_secret("app/postgresql-url")  # kept for the sandbox: no second fetch
    with pytest.raises(SecretUnavailableError):
        read_secret("app/missing")
    fetched, failed = spans.get_finished_spans()
    assert fetched.name == failed.name == "SecretsManager.GetSecretValue"
    assert fetched.kind is SpanKind.CLIENT
    assert dict(fetched.attributes or {}) == {
        "rpc.system": "aws-api",
        "rpc.service": "SecretsManager",
        "rpc.method": "GetSecretValue",
    }
    assert fetched.status.status_code is StatusCode.UNSET
    assert failed.status.status_code is StatusCode.ERROR
    assert (failed.attributes or {})["error.type"] == "SecretUnavailableError"
