"""Store URLs from plain variables, or from Secrets Manager (moto's server) where the process
runs: through the Parameters and Secrets extension on Lambda on demand, through the SDK and
the container credentials endpoint with SnapStart and on other hosts."""

import os
import sys
import uuid
from pathlib import Path

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from app.core.secrets import SecretUnavailableError, store_configured, store_secret, store_url
from app.core.settings import Settings, load_settings
from tests.conftest import SettingsFactory
from tests.fixtures.aws import SecretsSource

URL = "postgresql+psycopg://app:s3cret-value@db:5432/app"


def unique(name: str) -> str:
    return f"app/{name}-{uuid.uuid4().hex[:8]}"


def postgresql_secret(
    settings_factory: SettingsFactory, secrets_source: SecretsSource, value: str
) -> tuple[str, Settings]:
    """A new PostgreSQL URL secret holding `value`, and settings that name it."""
    secret_id = unique("postgresql")
    secrets_source.put(secret_id, value)
    return secret_id, settings_factory(postgresql_url=None, postgresql_url_secret_id=secret_id)


def test_plain_url_wins(settings_factory: SettingsFactory) -> None:
    settings = settings_factory(redis_url="redis://h:6379/0", redis_url_secret_id="unused")
    assert store_url(settings, "redis") == "redis://h:6379/0"
    assert store_secret(settings, "redis") is None


def test_unconfigured_store_is_none(
    settings_factory: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    settings = settings_factory(redis_url=None)
    assert store_url(settings, "redis") is None
    assert not store_configured(settings, "redis")


def test_a_secret_is_read_once_where_the_process_runs(
    settings_factory: SettingsFactory, secrets_source: SecretsSource
) -> None:
    # Given a PostgreSQL URL secret, in a process without AWS_SESSION_TOKEN unless on demand
    secret_id, settings = postgresql_secret(settings_factory, secrets_source, URL)

    # When the store's URL is asked for twice
    assert store_url(settings, "postgresql") == URL
    assert store_url(settings, "postgresql") == URL

    # Then the secret was read once, from where the mode reads it (the others are closed ports)
    assert secrets_source.reads(secret_id) == 1
    if secrets_source.credentials is not None:
        # ... with the credentials the container credentials endpoint issued, and no session token
        assert "AWS_SESSION_TOKEN" not in os.environ
        assert len(secrets_source.credentials.endpoint.requests) == 1
        [call] = secrets_source.traffic.requests
        issued = secrets_source.credentials.issued
        assert f"Credential={issued.access_key_id}/" in call.headers["authorization"]
        assert call.headers["x-amz-security-token"] == issued.token


def test_a_rotated_secret_is_read_again_when_asked(
    settings_factory: SettingsFactory, secrets_source: SecretsSource
) -> None:
    secret_id, settings = postgresql_secret(settings_factory, secrets_source, URL)
    secret = store_secret(settings, "postgresql")
    assert secret is not None
    assert secret.url() == URL

    rotated = URL.replace("s3cret-value", "n3w-value")
    secrets_source.put(secret_id, rotated)
    assert secret.url() == URL  # kept
    assert secret.reread() == rotated
    assert store_url(settings, "postgresql") == rotated
    assert secrets_source.reads(secret_id) == 2


def test_an_rds_secret_yields_a_url(
    settings_factory: SettingsFactory, secrets_source: SecretsSource
) -> None:
    rds = '{"engine": "postgres", "host": "db", "username": "app", "password": "pw"}'
    _, settings = postgresql_secret(settings_factory, secrets_source, rds)
    assert store_url(settings, "postgresql") == "postgresql://app:pw@db:5432"


def test_a_missing_secret_names_the_store_and_is_tried_again_next_time(
    settings_factory: SettingsFactory, secrets_source: SecretsSource
) -> None:
    secret_id = unique("missing")
    settings = settings_factory(redis_url=None, redis_url_secret_id=secret_id)
    for _ in range(2):
        with pytest.raises(SecretUnavailableError, match=secret_id) as raised:
            store_url(settings, "redis")
        assert raised.value.store == "redis"
    assert secrets_source.reads(secret_id) == 2


def test_a_secret_without_a_url_fails_without_its_value(
    settings_factory: SettingsFactory, secrets_source: SecretsSource
) -> None:
    no_host = '{"username": "app", "password": "s3cret-value"}'
    secret_id, settings = postgresql_secret(settings_factory, secrets_source, no_host)
    with pytest.raises(SecretUnavailableError, match=f"{secret_id}.*without host") as raised:
        store_url(settings, "postgresql")
    assert raised.value.store == "postgresql"
    assert "s3cret-value" not in str(raised.value)


@pytest.mark.parametrize("secrets_source", ["lambda on demand", "lambda snap-start"], indirect=True)
def test_an_unreachable_source_fails_clearly(
    settings_factory: SettingsFactory,
    secrets_source: SecretsSource,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The extension, or Secrets Manager, where nothing listens
    monkeypatch.setenv("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "9")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    settings = settings_factory(postgresql_url=None, postgresql_url_secret_id="app/unreachable")
    with pytest.raises(SecretUnavailableError, match="cannot read secret 'app/unreachable'"):
        store_url(settings, "postgresql")


@pytest.mark.parametrize("secrets_source", ["lambda snap-start", "container"], indirect=True)
def test_credentials_refused_by_the_endpoint_make_the_secret_unreadable(
    settings_factory: SettingsFactory,
    secrets_source: SecretsSource,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given an authorization token the container credentials endpoint does not accept
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "stale-token")
    secret_id, settings = postgresql_secret(settings_factory, secrets_source, URL)
    # Then the SDK has no credentials: no call reaches Secrets Manager
    with pytest.raises(SecretUnavailableError, match=secret_id):
        store_url(settings, "postgresql")
    assert secrets_source.credentials is not None
    assert secrets_source.credentials.endpoint.requests
    assert secrets_source.reads(secret_id) == 0


@pytest.mark.parametrize("secrets_source", ["container"], indirect=True)
def test_without_botocore_the_secret_names_the_aws_extra(
    settings_factory: SettingsFactory,
    secrets_source: SecretsSource,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "botocore.exceptions", None)  # as if not installed
    settings = settings_factory(postgresql_url=None, postgresql_url_secret_id="app/any")
    with pytest.raises(SecretUnavailableError, match="install the aws extra"):
        store_url(settings, "postgresql")


@pytest.mark.parametrize("source", ["environment", ".env"])
@pytest.mark.parametrize("secrets_source", ["lambda on demand"], indirect=True)
def test_an_empty_url_variable_counts_as_unset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, source: str, secrets_source: SecretsSource
) -> None:
    # Given POSTGRESQL_URL set but empty, next to the secret that should be used
    secret_id = unique("postgresql-url")
    secrets_source.put(secret_id, URL)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ENVIRONMENT", "local")
    monkeypatch.setenv("POSTGRESQL_URL_SECRET_ID", secret_id)
    monkeypatch.delenv("POSTGRESQL_URL")
    if source == "environment":
        monkeypatch.setenv("POSTGRESQL_URL", "")
    else:
        (tmp_path / ".env").write_text("POSTGRESQL_URL=\nMONGO_URL=\n")
        monkeypatch.delenv("MONGO_URL", raising=False)
    settings = load_settings()
    # Then the secret is the URL, and an empty URL alone configures nothing
    assert store_url(settings, "postgresql") == URL
    if source == ".env":
        assert not store_configured(settings, "mongo")


# Both ways a secret is read: through the extension, and through the SDK.
@pytest.mark.parametrize("secrets_source", ["lambda on demand", "lambda snap-start"], indirect=True)
def test_each_fetch_is_a_span_and_a_failure_is_recorded(
    settings_factory: SettingsFactory,
    secrets_source: SecretsSource,
    spans: InMemorySpanExporter,
) -> None:
    _, settings = postgresql_secret(settings_factory, secrets_source, URL)
    store_url(settings, "postgresql")
    store_url(settings, "postgresql")  # kept for the sandbox: no second fetch
    missing = settings_factory(postgresql_url=None, postgresql_url_secret_id=unique("missing"))
    with pytest.raises(SecretUnavailableError):
        store_url(missing, "postgresql")
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
