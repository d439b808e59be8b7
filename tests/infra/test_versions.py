"""A deploy that changes only settings publishes a new version and moves `live` to it.

The SAM translator names the version it publishes (AWS::Lambda::Version) after a hash of the
function; CloudFormation creates a version only when that name changes. These tests expand
infra/template.yaml with the real translator, as CloudFormation does on a deploy.
"""

import re
from typing import Any

import pytest

from tests.fixtures.sam import IMAGE_DEPLOY, SNAPSTART_DEPLOY, SamCli

FUNCTIONS = {
    "ApiFunction": IMAGE_DEPLOY,
    "ApiSnapStartFunction": SNAPSTART_DEPLOY,
    # The queue and the schedule invoke the worker's `live` alias the same way.
    "WorkerFunction": IMAGE_DEPLOY,
    "WorkerSnapStartFunction": SNAPSTART_DEPLOY,
}
# Parameters the function reads whose change publishes no version, and why.
NOT_VERSIONED = {
    # A setting of the function itself: no version carries it, it applies at once.
    "ReservedConcurrency",
    # NoEcho: resolved into the version's name, it would show in the processed template. A new
    # DSN reaches `live` with the next deploy that publishes a version.
    "SentryDsn",
}
# A valid other value for the parameters without AllowedValues or a number range.
OTHER_VALUES = {
    "AuthIssuer": "https://issuer.example.com",
    "CorsAllowOrigins": "https://app.example.com",
    "SentryTracesSampleRate": "0.5",
    "SubnetIds": "subnet-0a1b2c3d",
    "SecurityGroupIds": "sg-0a1b2c3d",
    "CustomDomainName": "api.example.com",
    "ParametersSecretsExtensionLayerArn": (
        "arn:aws:lambda:eu-west-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension:13"
    ),
}


def published_version(template: dict[str, Any], function: str) -> str:
    """The version the `live` alias of `function` points at."""
    alias = template["Resources"][f"{function}Aliaslive"]["Properties"]
    version: str = alias["FunctionVersion"]["Fn::GetAtt"][0]
    assert template["Resources"][version]["Type"] == "AWS::Lambda::Version"
    return version


def parameters_read_by(template: dict[str, Any], function: str) -> set[str]:
    """The parameters the function's properties refer to, directly or through conditions."""
    declared = set(template["Parameters"])
    found: set[str] = set()
    pending: list[Any] = [template["Resources"][function]["Properties"]]
    seen_conditions: set[str] = set()
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            if node.keys() == {"Ref"} and node["Ref"] in declared:
                found.add(node["Ref"])
            condition = node.get("Fn::If", [None])[0] if "Fn::If" in node else node.get("Condition")
            if isinstance(condition, str) and condition not in seen_conditions:
                seen_conditions.add(condition)
                pending.append(template["Conditions"][condition])
            if "Fn::Sub" in node:
                text = node["Fn::Sub"] if isinstance(node["Fn::Sub"], str) else node["Fn::Sub"][0]
                found.update(set(re.findall(r"\$\{(\w+)\}", text)) & declared)
            pending.extend(node.values())
    return found


def other_value(name: str, spec: dict[str, Any], current: str) -> str:
    if "AllowedValues" in spec:
        return next(str(value) for value in spec["AllowedValues"] if str(value) != current)
    if spec["Type"] == "Number":
        return str(int(current) + 1 if int(current) + 1 <= spec.get("MaxValue", 10**9) else 1)
    value = OTHER_VALUES.get(name, f"{current}x".lstrip("-"))
    assert re.fullmatch(spec.get("AllowedPattern", ".*"), value), (name, value)
    return value


def test_a_settings_only_change_publishes_a_new_version_behind_live(sam_cli: SamCli) -> None:
    # Given the same code deployed with another LOG_LEVEL
    info, debug = sam_cli.transform(
        {**IMAGE_DEPLOY, "LogLevel": "INFO"}, {**IMAGE_DEPLOY, "LogLevel": "DEBUG"}
    )

    # Then the second deploy publishes a version of its own, and `live` points at it
    assert published_version(info, "ApiFunction") != published_version(debug, "ApiFunction")
    assert published_version(debug, "ApiFunction") in debug["Resources"]


def test_the_same_parameters_publish_no_new_version(sam_cli: SamCli) -> None:
    first, again = sam_cli.transform(IMAGE_DEPLOY, dict(IMAGE_DEPLOY))

    assert published_version(first, "ApiFunction") == published_version(again, "ApiFunction")


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_every_parameter_of_the_configuration_publishes_a_new_version(
    sam_cli: SamCli, function: str
) -> None:
    # Given the parameters this function's configuration reads, after the transform
    base = FUNCTIONS[function]
    (expanded,) = sam_cli.transform(base)
    declared = expanded["Parameters"]
    read = parameters_read_by(expanded, function) - NOT_VERSIONED
    assert {"LogLevel", "MemorySize", "SubnetIds", "AuthIssuer"} <= read

    # When each of them alone takes another value
    current = {name: str(base.get(name, declared[name].get("Default", ""))) for name in read}
    changed = sorted(read)
    variants = sam_cli.transform(
        *({**base, name: other_value(name, declared[name], current[name])} for name in changed)
    )

    # Then each deploy publishes a new version
    before = published_version(expanded, function)
    unchanged = [
        name
        for name, variant in zip(changed, variants, strict=True)
        if published_version(variant, function) == before
    ]
    assert unchanged == [], f"list these parameters in {function}'s code (infra/template.yaml)"
