"""The CD role cannot make itself more than it is: every role it creates carries a permissions
boundary that grants no IAM, and it passes roles only to the services the stack runs.
Reads infra/iam/ and the template as the real SAM translator expands it."""

import json
import tomllib
from fnmatch import fnmatchcase
from typing import Any

import pytest

from scripts.cd.release import DEFAULT_BRANCH
from tests.fixtures.sam import IMAGE_DEPLOY, ROOT, SNAPSTART_DEPLOY, SamCli, service_name

SERVICE = service_name()
IAM = ROOT / "infra" / "iam"
BOUNDARY = f"arn:aws:iam::ACCOUNT_ID:policy/{SERVICE}-permissions-boundary"
# Actions that give a role its permissions: allowed only on roles that keep the boundary.
ROLE_GRANTS = {
    "iam:CreateRole",
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:PutRolePermissionsBoundary",
}
# What the AWS managed policies SAM attaches to the stack's roles allow
# (AWSLambdaBasicExecutionRole, AWSXrayWriteOnlyAccess, AWSLambdaVPCAccessExecutionRole):
# the boundary must leave them.
MANAGED_POLICY_ACTIONS = {
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:GetSamplingStatisticSummaries",
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
}
# Every optional part of the stack on, so that every role it can create is expanded.
EVERYTHING = {
    "GatewayJwtAuthorizer": "true",
    "SubnetIds": "subnet-0a1b2c3d",
    "SecurityGroupIds": "sg-0a1b2c3d",
    "VpcId": "vpc-0a1b2c3d",
    "RdsProxyDbInstanceId": "app-db",
    "RdsProxyAuthSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds-AbCdEf",
    "RdsProxyDbSecurityGroupId": "sg-0d3c2b1a",
    "SecretsKmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d",
}


def allow_statements(name: str) -> list[dict[str, Any]]:
    policy = json.loads((IAM / name).read_text())
    return [statement for statement in policy["Statement"] if statement["Effect"] == "Allow"]


def listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def covers(pattern: str, action: str) -> bool:
    return fnmatchcase(action.lower(), pattern.lower())


def test_the_cd_role_grants_roles_only_within_the_boundary() -> None:
    for statement in allow_statements("cd-policy.json"):
        actions = listed(statement["Action"])
        resources = listed(statement["Resource"])
        # No wildcard over IAM, and no role grant without the boundary condition
        assert not any(covers(action, "iam:anything") for action in actions), statement
        if any(covers(action, grant) for action in actions for grant in ROLE_GRANTS):
            condition = statement.get("Condition", {}).get("StringEquals", {})
            assert condition.get("iam:PermissionsBoundary") == BOUNDARY, statement["Sid"]
        if "iam:PassRole" in actions:
            assert "*" not in resources, statement["Sid"]
            assert statement["Condition"]["StringEquals"]["iam:PassedToService"], statement
        # Nothing that edits a managed policy, the boundary included
        assert not any(covers(action, "iam:CreatePolicyVersion") for action in actions)
    granted = {action for s in allow_statements("cd-policy.json") for action in listed(s["Action"])}
    assert {"iam:ListRolePolicies", "iam:ListAttachedRolePolicies"} <= granted


def test_the_boundary_grants_no_iam() -> None:
    for statement in allow_statements("permissions-boundary.json"):
        assert not any(
            action.lower().startswith(("iam:", "*")) for action in listed(statement["Action"])
        )


def test_the_cd_role_deletes_only_its_own_stacks() -> None:
    stacks = {
        section["deploy"]["parameters"]["stack_name"]
        for name, section in tomllib.loads((ROOT / "infra" / "samconfig.toml").read_text()).items()
        if name != "version"
    }
    deleting = [
        statement
        for statement in allow_statements("cd-policy.json")
        if any(
            covers(action, "cloudformation:DeleteStack") for action in listed(statement["Action"])
        )
    ]

    (statement,) = deleting
    assert set(listed(statement["Resource"])) == {
        f"arn:aws:cloudformation:REGION:ACCOUNT_ID:stack/{stack}/*" for stack in stacks
    }


@pytest.fixture(scope="module")
def expanded(sam_cli: SamCli) -> list[dict[str, Any]]:
    return sam_cli.transform({**IMAGE_DEPLOY, **EVERYTHING}, {**SNAPSTART_DEPLOY, **EVERYTHING})


def test_every_role_the_stack_creates_carries_the_boundary(expanded: list[dict[str, Any]]) -> None:
    for template in expanded:
        roles = {
            name: resource["Properties"]
            for name, resource in template["Resources"].items()
            if resource["Type"] == "AWS::IAM::Role"
        }
        assert {"CodeDeployRole", "DbProxyRole"} <= set(roles)
        for name, role in roles.items():
            boundary = json.dumps(role.get("PermissionsBoundary"))
            assert "policy/${ServiceName}-permissions-boundary" in boundary, name


def test_the_boundary_leaves_what_the_stack_grants(expanded: list[dict[str, Any]]) -> None:
    boundary = [
        pattern
        for statement in allow_statements("permissions-boundary.json")
        for pattern in listed(statement["Action"])
    ]
    granted = set(MANAGED_POLICY_ACTIONS)
    for template in expanded:
        for resource in template["Resources"].values():
            for policy in policies_of(resource):
                for statement in listed_statements(policy):
                    granted.update(listed(statement["Action"]))

    blocked = sorted(action for action in granted if not any(covers(p, action) for p in boundary))
    assert blocked == [], "add them to infra/iam/permissions-boundary.json"


def policies_of(resource: dict[str, Any]) -> list[dict[str, Any]]:
    properties = resource.get("Properties", {})
    if resource["Type"] == "AWS::IAM::Policy":
        return [properties["PolicyDocument"]]
    if resource["Type"] == "AWS::IAM::Role":
        return [policy["PolicyDocument"] for policy in properties.get("Policies", [])]
    return []


def listed_statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The statements, those behind a condition (Fn::If) included."""
    found: list[dict[str, Any]] = []
    for statement in document["Statement"]:
        if "Fn::If" in statement:
            found.extend(branch for branch in statement["Fn::If"][1:] if "Action" in branch)
        else:
            found.append(statement)
    return found


def test_only_cd_from_the_default_branch_may_assume_the_role() -> None:
    environments = set(tomllib.loads((ROOT / "infra" / "samconfig.toml").read_text())) - {"version"}
    (statement,) = json.loads((IAM / "cd-trust-policy.json").read_text())["Statement"]
    conditions = statement["Condition"]

    # Exact matches only (no StringLike pattern), on the audience and on the subject: the CD
    # workflow file of the default branch, running in one of the environments
    assert set(conditions) == {"StringEquals"}
    assert (
        conditions["StringEquals"]["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    )
    workflow = f"OWNER/REPO/.github/workflows/cd.yml@refs/heads/{DEFAULT_BRANCH}"
    assert set(conditions["StringEquals"]["token.actions.githubusercontent.com:sub"]) == {
        f"repo:OWNER/REPO:environment:{env}:job_workflow_ref:{workflow}" for env in environments
    }
