"""The deploy image of a commit in ECR: one per commit and architecture, under an immutable tag.

Two runs may deploy the same commit at once (to development and staging, say): both find the
image missing, both build it, and the second push is refused because the first one's tag cannot
be overwritten. That refusal is the image being there: the run deploys the image under that tag.
"""

import subprocess
from collections.abc import Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from scripts.cd.errors import CdError

if TYPE_CHECKING:
    from mypy_boto3_ecr import ECRClient


def exists(ecr: "ECRClient", repository: str, tag: str) -> bool:
    try:
        ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])
    except ClientError as error:
        if error.response["Error"]["Code"] == "ImageNotFoundException":
            return False
        raise CdError(f"cannot query ECR repository {repository}: {error}") from error
    return True


def push(ecr: "ECRClient", repository: str, tag: str, command: Sequence[str]) -> str:
    """Run the push `command`; how the image got there."""
    if subprocess.run(command, check=False).returncode == 0:
        return "pushed"
    if exists(ecr, repository, tag):
        return "pushed by another run of the same commit (tags are immutable): using it"
    raise CdError(f"pushing {repository}:{tag} failed (see the output above)")
