"""How a new version takes traffic, in the template as the real SAM translator expands it with
each environment's samconfig.toml: after the pre-traffic hook, gradually in production with the
rollback alarms, at once elsewhere."""

from typing import Any

import pytest

from scripts.cd import samconfig
from tests.fixtures.sam import IMAGE_DEPLOY, SNAPSTART_DEPLOY, SamCli, service_name
from tests.support.cloudformation import Stack, evaluate

SERVICE = service_name()
ROLLBACK_ALARMS = ["<ServerErrorsAlarm>", "<UnhandledErrorsAlarm>", "<LatencyAlarm>"]


def environment_stack(sam_cli: SamCli, environment: str, deploy: dict[str, str]) -> Stack:
    parameters = {**samconfig.load(environment).parameters, **deploy, "Environment": environment}
    (template,) = sam_cli.transform(parameters)
    return evaluate(template, parameters)


def deployment_group(stack: Stack, function: str) -> dict[str, Any]:
    return stack.properties(f"{function}DeploymentGroup")


@pytest.mark.parametrize(
    ("deploy", "function", "hook"),
    [
        (IMAGE_DEPLOY, "ApiFunction", "PreTrafficHook"),
        (SNAPSTART_DEPLOY, "ApiSnapStartFunction", "PreTrafficSnapStartHook"),
    ],
    ids=["image", "snapstart"],
)
def test_production_shifts_traffic_by_canary_after_the_hook_and_rolls_back_on_alarms(
    sam_cli: SamCli, deploy: dict[str, str], function: str, hook: str
) -> None:
    stack = environment_stack(sam_cli, "production", deploy)

    # The alias moves through CodeDeploy, after the hook, in a canary
    alias = stack.resources[f"{function}Aliaslive"]
    update = alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
    assert update["BeforeAllowTrafficHook"] == f"<{hook}>"
    group = deployment_group(stack, function)
    assert group["DeploymentConfigName"] == "CodeDeployDefault.LambdaCanary10Percent5Minutes"
    # Any rollback alarm stops it and moves `live` back
    assert [alarm["Name"] for alarm in group["AlarmConfiguration"]["Alarms"]] == ROLLBACK_ALARMS
    assert {"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"} <= set(
        group["AutoRollbackConfiguration"]["Events"]
    )
    # The hook checks the version this deploy publishes, the one `live` moves to
    version = alias["Properties"]["FunctionVersion"]
    target = stack.properties(hook)["Environment"]["Variables"]["PRE_TRAFFIC_TARGET"]
    assert version == f"<{target.strip('<>')}.Version>"
    # Only one function, its hook and its deployment group exist
    assert len(stack.of_type("AWS::CodeDeploy::DeploymentGroup")) == 1


@pytest.mark.parametrize("environment", ["staging", "development"])
def test_other_environments_shift_all_traffic_at_once_after_the_hook(
    sam_cli: SamCli, environment: str
) -> None:
    stack = environment_stack(sam_cli, environment, IMAGE_DEPLOY)

    group = deployment_group(stack, "ApiFunction")
    assert group["DeploymentConfigName"] == "CodeDeployDefault.LambdaAllAtOnce"
    hook = stack.resources["ApiFunctionAliaslive"]["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
    assert hook["BeforeAllowTrafficHook"] == "<PreTrafficHook>"


def test_the_rollback_alarms_watch_the_api_stage(sam_cli: SamCli) -> None:
    stack = environment_stack(sam_cli, "production", IMAGE_DEPLOY)
    api = [{"Name": "ApiId", "Value": "<HttpApi>"}, {"Name": "Stage", "Value": "prod"}]

    server_errors = stack.properties("ServerErrorsAlarm")
    latency = stack.properties("LatencyAlarm")

    assert (server_errors["MetricName"], server_errors["Dimensions"]) == ("5xx", api)
    assert (latency["ExtendedStatistic"], latency["Dimensions"]) == ("p99", api)
    assert stack.properties("UnhandledErrorsAlarm")["MetricName"] == "UnhandledErrors"


def test_the_hook_may_invoke_the_versions_and_report_to_codedeploy(sam_cli: SamCli) -> None:
    stack = environment_stack(sam_cli, "production", IMAGE_DEPLOY)

    (policy,) = stack.properties("PreTrafficHookRole")["Policies"]
    statements = policy["PolicyDocument"]["Statement"]

    assert [(s["Action"], s["Resource"]) for s in statements] == [
        (
            "lambda:InvokeFunction",
            f"arn:aws:lambda:eu-west-1:123456789012:function:{SERVICE}-production*:*",
        ),
        (
            "codedeploy:PutLifecycleEventHookExecutionStatus",
            "arn:aws:codedeploy:eu-west-1:123456789012:deploymentgroup:"
            "<ServerlessDeploymentApplication>/*",
        ),
    ]
    assert "VpcConfig" not in stack.properties("PreTrafficHook")
