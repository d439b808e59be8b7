"""Dropping a store: `<Store>UrlSecretName=none` leaves no trace of it in the stack.

The SAM CLI parses the forms docs/deploy.md shows; the real translator expands the template.
"""

import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.sam import IMAGE_DEPLOY, ROOT, SNAPSTART_DEPLOY, SamCli
from tests.support.cloudformation import Stack, evaluate

GUIDE = ROOT / "docs" / "deploy.md"
REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
STORES = {
    "PostgresqlUrlSecretName": "POSTGRESQL_URL_SECRET_ID",
    "MongoUrlSecretName": "MONGO_URL_SECRET_ID",
    "RedisUrlSecretName": "REDIS_URL_SECRET_ID",
}


def stacks(sam_cli: SamCli, *parameter_sets: dict[str, str]) -> list[Stack]:
    expanded = sam_cli.transform(*parameter_sets)
    return [evaluate(template, p) for template, p in zip(expanded, parameter_sets, strict=True)]


def function_of(stack: Stack) -> dict[str, Any]:
    (function,) = [
        properties
        for name, properties in stack.of_type("AWS::Lambda::Function").items()
        if name in {"ApiFunction", "ApiSnapStartFunction"}
    ]
    return function


def readable_secrets(stack: Stack) -> list[str]:
    (statement,) = [
        statement
        for statement in stack.properties("StoreUrlSecrets")["PolicyDocument"]["Statement"]
        if statement["Action"] == "secretsmanager:GetSecretValue"
    ]
    resources = statement["Resource"]
    return resources if isinstance(resources, list) else [resources]


def documented_block(language: str, needle: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", GUIDE.read_text(), re.S)
    found = [block for block in blocks if needle in block]
    assert found, f"docs/deploy.md shows no {language} block with {needle}"
    return str(found[0])


@pytest.mark.parametrize("dropped", sorted(STORES))
@pytest.mark.parametrize("value", ["none", ""])
def test_a_dropped_store_gets_no_secret_and_no_permission(
    sam_cli: SamCli, dropped: str, value: str
) -> None:
    # Given a stack (image and SnapStart) whose parameters drop one store
    for stack in stacks(
        sam_cli, {**IMAGE_DEPLOY, dropped: value}, {**SNAPSTART_DEPLOY, dropped: value}
    ):
        # Then the function gets no secret id for it, and may read only the others' secrets
        variables = function_of(stack)["Environment"]["Variables"]
        assert STORES[dropped] not in variables
        kept = {name for name in STORES if name != dropped}
        assert {STORES[name] for name in kept} <= set(variables)
        assert len(readable_secrets(stack)) == len(kept)
        assert not any(f"secret:{value}-" in arn for arn in readable_secrets(stack))
        assert stack.broken_rules == []


def test_without_postgresql_the_pre_traffic_hook_runs_no_migrations(sam_cli: SamCli) -> None:
    with_it, without = stacks(
        sam_cli, IMAGE_DEPLOY, {**IMAGE_DEPLOY, "PostgresqlUrlSecretName": "none"}
    )

    assert (
        with_it.properties("PreTrafficHook")["Environment"]["Variables"]["PRE_TRAFFIC_MIGRATE"]
        == "true"
    )
    assert (
        without.properties("PreTrafficHook")["Environment"]["Variables"]["PRE_TRAFFIC_MIGRATE"]
        == "false"
    )


def test_dropping_every_store_is_refused(sam_cli: SamCli) -> None:
    (stack,) = stacks(sam_cli, {**IMAGE_DEPLOY, **dict.fromkeys(STORES, "none")})

    assert stack.broken_rules == ["Name the URL secret of at least one store."]


def test_the_documented_samconfig_form_drops_the_store(sam_cli: SamCli, tmp_path: Path) -> None:
    # Given the samconfig.toml section docs/deploy.md shows for a service without Redis
    section = documented_block("toml", "RedisUrlSecretName=none")
    (tmp_path / "samconfig.toml").write_text(f"version = 0.1\n\n{section}")
    (tmp_path / "template.yaml").write_text((ROOT / "infra" / "template.yaml").read_text())
    environment = re.findall(r"^\[(\w+)\.deploy\.parameters\]", section, re.M)[0]

    # When `sam deploy` reads it
    deployed = sam_cli.deploy_arguments(
        "--config-env",
        environment,
        "--image-repository",
        f"{REGISTRY}/fastapi-lambda",
        cwd=tmp_path,
    )

    # Then Redis is dropped and the other stores are kept
    overrides = deployed["parameter_overrides"]
    assert overrides["RedisUrlSecretName"] == "none"
    assert overrides["PostgresqlUrlSecretName"] not in {"", "none"}
    (stack,) = stacks(sam_cli, {**IMAGE_DEPLOY, **overrides})
    assert "REDIS_URL_SECRET_ID" not in function_of(stack)["Environment"]["Variables"]


def test_the_documented_command_line_drops_the_store(sam_cli: SamCli) -> None:
    # Given the `sam deploy` command line docs/deploy.md shows to drop Redis from a stack
    command = documented_block("bash", "--parameter-overrides RedisUrlSecretName=none")
    line = command[command.index("sam deploy") :].replace("\\\n", " ").splitlines()[0]
    argv = shlex.split(line.replace("$REGISTRY", REGISTRY))[2:]

    # When the SAM CLI parses it, Then that store's name is `none`, nothing else changes
    assert sam_cli.deploy_arguments(*argv)["parameter_overrides"] == {"RedisUrlSecretName": "none"}
