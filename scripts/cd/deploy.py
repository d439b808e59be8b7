"""The `sam deploy` of one environment, and what a stack's first deploy still needs.

The command line replaces samconfig.toml's `parameter_overrides` instead of adding to it, so
CD passes that list in full with the code and the release added. On an update, CodeDeploy runs
the pre-traffic hook before `live` moves; a create makes `live` without CodeDeploy, so after a
first deploy CD invokes the hook itself (it then only answers) and fails if a check failed.
"""

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scripts.cd.errors import CdError
from scripts.cd.samconfig import EnvironmentConfig, render

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_lambda import LambdaClient

INFRA = Path(__file__).parents[2] / "infra"
SENTRY_DSN_VARIABLE = "SENTRY_DSN"


@dataclass(frozen=True)
class Code:
    """What runs: an ECR image, or with SnapStart the zip bundle in S3."""

    image_uri: str = ""
    bucket: str = ""
    key: str = ""

    def parameters(self) -> dict[str, str]:
        if self.image_uri:
            return {"ImageUri": self.image_uri}
        return {"CodeS3Bucket": self.bucket, "CodeS3Key": self.key}


def parameters(
    config: EnvironmentConfig, code: Code, layer_arn: str, release: str
) -> dict[str, str]:
    return {
        **config.parameters,
        **code.parameters(),
        "ParametersSecretsExtensionLayerArn": layer_arn,
        "Release": release,
        # Read from the environment, so that the DSN is never in CD's own command line.
        "SentryDsn": os.environ.get(SENTRY_DSN_VARIABLE, ""),
    }


def command(
    sam: str,
    config: EnvironmentConfig,
    region: str,
    deployed: dict[str, str],
    image_repository: str = "",
) -> list[str]:
    repository = ["--image-repository", image_repository] if image_repository else []
    return [
        sam,
        "deploy",
        "--config-env",
        config.environment,
        "--region",
        region,
        *repository,
        "--no-progressbar",
        "--parameter-overrides",
        *render(deployed),
    ]


def shown(argv: list[str]) -> str:
    """The command as logs may show it: the Sentry DSN masked."""
    return " ".join("SentryDsn=***" if word.startswith("SentryDsn=") else word for word in argv)


def run(argv: list[str]) -> None:
    print(shown(argv), flush=True)
    if subprocess.run(argv, cwd=INFRA, check=False).returncode != 0:
        raise CdError(
            "sam deploy failed: the stack's events say why; a pre-traffic check that failed is "
            "logged by the hook in the function's log group, and traffic stayed where it was"
        )


def outputs(cloudformation: "CloudFormationClient", stack_name: str) -> dict[str, str]:
    (stack,) = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def check_first_deploy(lambda_api: "LambdaClient", hook: str) -> dict[str, Any]:
    """The pre-traffic hook's checks of the version a stack's create published."""
    response = lambda_api.invoke(FunctionName=hook, Payload=b"{}")
    answer = json.loads(response["Payload"].read() or b"null")
    if response.get("FunctionError") or not isinstance(answer, dict) or not answer.get("ok"):
        raise CdError(
            f"the first deploy's version failed its checks ({hook}): {json.dumps(answer)}; "
            "it already serves: fix it and deploy again"
        )
    return dict(answer)
