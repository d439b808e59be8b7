"""CD reads samconfig.toml and writes `--parameter-overrides` exactly as the SAM CLI reads them."""

import tomllib

import pytest

from scripts.cd import deploy, samconfig
from scripts.cd.errors import CdError
from tests.fixtures.sam import ROOT, SamCli

REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fastapi-lambda"
ENVIRONMENTS = sorted(
    set(tomllib.loads((ROOT / "infra" / "samconfig.toml").read_text())) - {"version"}
)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_each_environment_reads_as_the_sam_cli_reads_it(sam_cli: SamCli, environment: str) -> None:
    config = samconfig.load(environment)

    deployed = sam_cli.deploy_arguments("--config-env", environment, "--image-repository", REGISTRY)

    assert config.parameters == deployed["parameter_overrides"]
    assert config.stack_name == deployed["stack_name"]


def test_the_overrides_cd_passes_read_back_as_meant(
    sam_cli: SamCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a deploy without Sentry and without Redis: two values CD must get across as such
    monkeypatch.delenv(deploy.SENTRY_DSN_VARIABLE, raising=False)
    config = samconfig.load("development")
    config.parameters["RedisUrlSecretName"] = "none"
    code = deploy.Code(image_uri=f"{REGISTRY}:0123abc-x86_64")
    meant = deploy.parameters(config, code, "arn:aws:lambda:eu-west-1:1:layer:x:1", "0123abc")
    argv = deploy.command("sam", config, "eu-west-1", meant, REGISTRY)

    # When the SAM CLI parses that command line
    deployed = sam_cli.deploy_arguments(*argv[2:])

    # Then it deploys exactly those parameters, empty DSN and dropped store included
    assert deployed["parameter_overrides"] == meant
    assert meant["SentryDsn"] == ""
    assert (deployed["region"], deployed["image_repository"]) == ("eu-west-1", REGISTRY)


@pytest.mark.parametrize(
    ("entry", "fix"),
    [
        ("RedisUrlSecretName=", "RedisUrlSecretName=none"),
        ('MongoUrlSecretName=""', "MongoUrlSecretName=none"),
        ("CorsAllowOrigins=", 'CorsAllowOrigins=""'),
        ("AuthAudience=a, b", "space"),
        ("LogLevel", "Name=Value"),
    ],
)
def test_a_value_the_sam_cli_would_misread_is_refused_with_the_fix(entry: str, fix: str) -> None:
    with pytest.raises(CdError, match=fix):
        samconfig.parse_override(entry)


def test_the_sam_cli_drops_an_empty_value_beside_others(sam_cli: SamCli) -> None:
    """Why CD refuses `Name=`: the SAM CLI would deploy the stack's previous value."""
    deployed = sam_cli.deploy_arguments(
        "--config-env",
        "development",
        "--image-repository",
        REGISTRY,
        "--parameter-overrides",
        "LogLevel=INFO RedisUrlSecretName=",
    )

    assert deployed["parameter_overrides"] == {"LogLevel": "INFO"}


def test_stores_named_none_are_dropped() -> None:
    config = samconfig.EnvironmentConfig(
        "development",
        "stack",
        {"PostgresqlUrlSecretName": "app/db", "RedisUrlSecretName": "none"},
    )

    assert config.stores() == {"PostgreSQL": True, "MongoDB": False, "Redis": False}
