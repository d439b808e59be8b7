"""Settings: ENVIRONMENT picks the class, values are validated once with clear messages."""

from pathlib import Path

import pytest

from app.core.settings import SettingsError, load_settings, testing
from tests.conftest import AppFactory, app_client


@pytest.mark.parametrize(
    ("environment", "log_json", "docs", "auth"),
    [
        ("local", False, True, False),
        ("development", True, True, True),
        ("staging", True, True, True),
        ("production", True, False, True),
        ("testing", False, True, False),
    ],
)
def test_environment_selects_defaults(
    monkeypatch: pytest.MonkeyPatch, environment: str, log_json: bool, docs: bool, auth: bool
) -> None:
    monkeypatch.setenv("ENVIRONMENT", environment)
    monkeypatch.setenv("AUTH_ISSUER", "https://issuer.example")
    settings = load_settings()
    assert settings.environment == environment
    assert settings.log_json is log_json
    assert settings.docs_enabled is docs
    assert settings.auth_enabled is auth


def test_default_environment_is_local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENVIRONMENT")
    assert load_settings().environment == "local"


def test_unknown_environment_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "prod")
    with pytest.raises(SettingsError, match=r"ENVIRONMENT='prod'.*local, development"):
        load_settings()


def test_every_invalid_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "loud")
    monkeypatch.setenv("MAX_REQUEST_BODY_BYTES", "0")
    monkeypatch.setenv("API_BASE_PATH", "dev")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert "LOG_LEVEL" in message
    assert "MAX_REQUEST_BODY_BYTES" in message
    assert "API_BASE_PATH" in message


def test_values_are_parsed_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "https://a.example, https://b.example,")
    monkeypatch.setenv("API_BASE_PATH", "/dev/")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("POSTGRESQL_URL", "postgresql+psycopg://u:pw@db/app")
    settings = load_settings()
    assert settings.cors_allow_origins == ["https://a.example", "https://b.example"]
    assert settings.api_base_path == "/dev"
    assert settings.log_level == "DEBUG"
    assert "pw" not in repr(settings)


async def test_production_hides_docs_unless_enabled(
    monkeypatch: pytest.MonkeyPatch, app_factory: AppFactory
) -> None:
    async with app_client(app_factory(docs_enabled=False)) as client:
        assert (await client.get("/docs")).status_code == 404
        assert (await client.get("/openapi.json")).status_code == 404
    async with app_client(app_factory(docs_enabled=True)) as client:
        assert (await client.get("/docs")).status_code == 200


def test_local_reads_dotenv_beneath_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given a .env in the working directory, and the environment setting one of its variables
    # and leaving another empty
    (tmp_path / ".env").write_text(
        "# copied from .env.example\nSERVICE_NAME=from-dotenv\nLOG_LEVEL=WARNING\n"
        "RATE_LIMIT_REQUESTS=5\nMAX_REQUEST_BODY_BYTES=\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ENVIRONMENT", "local")
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    monkeypatch.setenv("RATE_LIMIT_REQUESTS", "")

    settings = load_settings()

    # Then the environment wins, an empty value counts as unset, and .env fills the rest
    assert settings.service_name == "from-dotenv"
    assert settings.log_level == "ERROR"
    assert settings.rate_limit_requests == 5
    assert settings.max_request_body_bytes == 1024 * 1024


def test_only_local_reads_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SERVICE_NAME=from-dotenv\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ENVIRONMENT", "testing")
    assert load_settings().service_name == "app"


def test_variable_names_match_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("service_name", "lower-case")
    assert load_settings().service_name == "lower-case"


def test_values_given_to_the_constructor_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "testing")
    monkeypatch.setenv("SERVICE_NAME", "from-environment")
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    settings = testing.TestingSettings(service_name="given", redis_url=None)
    assert settings.service_name == "given"
    assert settings.redis_url is None
    assert settings.log_level == "ERROR"
