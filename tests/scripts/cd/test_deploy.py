"""`python -m scripts.cd deploy` from the stack's state to the first deploy's checks: moto's
CloudFormation holds the stack, a stand-in `sam` deploys it there, and the pre-traffic hook and
the new version are the real handlers behind scripts/lambda_server.py."""

import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from mypy_boto3_cloudformation import CloudFormationClient

from scripts.cd import samconfig
from scripts.cd.__main__ import main
from tests.scripts.cd.conftest import StatusSetter
from tests.support.aws_stand_ins import REGION
from tests.support.lambda_process import lambda_serving
from tests.support.ports import closed_port

STACK = samconfig.load("development").stack_name
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fastapi-lambda:0123abc-x86_64"
LAYER = "arn:aws:lambda:eu-west-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension:12"
VERSION_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:{STACK}:1"
# `sam deploy` as it ends for CloudFormation: the stack exists with the template's outputs.
SAM = f"""#!{sys.executable}
import json, sys
from botocore.session import get_session
with open(sys.argv[0] + ".argv", "w") as recorded:
    json.dump(sys.argv[1:], recorded)
cloudformation = get_session().create_client("cloudformation", region_name="{REGION}")
outputs = {{
    "FunctionName": {{"Value": "{STACK}"}},
    "ApiUrl": {{"Value": "https://abc123.execute-api.{REGION}.amazonaws.com/dev"}},
    "PreTrafficHook": {{"Value": "{STACK}-pre-traffic"}},
}}
template = {{"Resources": {{"Queue": {{"Type": "AWS::SQS::Queue"}}}}, "Outputs": outputs}}
cloudformation.create_stack(StackName="{STACK}", TemplateBody=json.dumps(template))
"""


@pytest.fixture
def sam(aws_endpoint: str, tmp_path: Path) -> Path:
    path = tmp_path / "sam"
    path.write_text(SAM)
    path.chmod(0o755)
    return path


def deploy(sam: Path) -> int:
    return main(
        [
            "deploy",
            "--environment",
            "development",
            "--region",
            REGION,
            "--image-uri",
            IMAGE,
            "--image-repository",
            IMAGE.split(":")[0],
            "--layer-arn",
            LAYER,
            "--release",
            "0123abc",
            "--sam",
            str(sam),
        ]
    )


def with_hook(
    version_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Path], int]:
    """`deploy`, with the stack's hook and new version served on loopback meanwhile."""

    def run(sam: Path) -> int:
        app_env = {"ENVIRONMENT": "testing", "API_BASE_PATH": "/dev", **version_env}
        with lambda_serving(app_env, tmp_path / "version.log") as version:
            hook_env = {
                "PRE_TRAFFIC_TARGET": VERSION_ARN,
                "PRE_TRAFFIC_MIGRATE": "true",
                "API_BASE_PATH": "/dev",
                "AWS_ENDPOINT_URL_LAMBDA": version,
            }
            with lambda_serving(hook_env, tmp_path / "hook.log", "app.pre_traffic.handler") as hook:
                monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", hook)
                return deploy(sam)

    return run


@pytest.fixture
def stack_removed_after(cloudformation: CloudFormationClient) -> Iterator[None]:
    """The stack this test deploys is gone afterwards (moto's server outlives the test)."""
    yield
    cloudformation.delete_stack(StackName=STACK)


@pytest.mark.usefixtures("stack_removed_after")
def test_after_a_failed_first_deploy_cd_deploys_afresh_and_checks_the_version(
    sam: Path,
    cloudformation: CloudFormationClient,
    give_status: StatusSetter,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given the stack a failed first deploy left behind
    cloudformation.create_stack(StackName=STACK, TemplateBody=json.dumps({"Resources": {}}))
    give_status(STACK, "ROLLBACK_COMPLETE")

    # When CD deploys, with a new version that works
    version_env = {"POSTGRESQL_URL": os.environ["POSTGRESQL_URL"]}
    status = with_hook(version_env, tmp_path, monkeypatch)(sam)

    # Then the dead stack was replaced, the version checked, the outputs given to the workflow
    printed = capsys.readouterr().out
    assert status == 0, printed
    assert "ROLLBACK_COMPLETE" in printed
    assert "First deploy checked" in printed
    assert f"function_name={STACK}" in printed
    argv = json.loads(Path(f"{sam}.argv").read_text())
    assert argv[:4] == ["deploy", "--config-env", "development", "--region"]
    assert f"ImageUri={IMAGE}" in argv


@pytest.mark.usefixtures("stack_removed_after")
def test_a_first_deploy_whose_version_fails_its_checks_fails_cd(
    sam: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    down = f"postgresql+psycopg://app@127.0.0.1:{closed_port()}/app"

    status = with_hook({"POSTGRESQL_URL": down}, tmp_path, monkeypatch)(sam)

    printed = capsys.readouterr().out
    assert status == 1
    assert "::error::the first deploy's version failed its checks" in printed
    assert '"name": "migrations", "ok": false' in printed
