"""The commit's image in ECR (moto's server, tags immutable as CD's repository is): two runs
deploying the same commit do not fail on the image tag."""

import json
import sys
import threading
import uuid
from typing import cast

import pytest
from botocore.session import get_session
from mypy_boto3_ecr import ECRClient

from scripts.cd import image
from scripts.cd.errors import CdError
from tests.support.aws_stand_ins import REGION

TAG = "0123abc-x86_64"
# What `docker push` does to ECR, as a command: put the image, fail on a tag already there.
PUSH = """
import sys
from botocore.session import get_session
ecr = get_session().create_client("ecr", region_name=sys.argv[3])
try:
    ecr.put_image(repositoryName=sys.argv[1], imageTag=sys.argv[2], imageManifest=sys.argv[4])
except ecr.exceptions.ImageTagAlreadyExistsException as refused:
    sys.exit(f"tag invalid: {refused}")
"""


@pytest.fixture
def ecr(aws_endpoint: str) -> ECRClient:
    return cast("ECRClient", get_session().create_client("ecr", region_name=REGION))


@pytest.fixture
def repository(ecr: ECRClient) -> str:
    name = f"fastapi-lambda-{uuid.uuid4().hex[:8]}"
    ecr.create_repository(repositoryName=name, imageTagMutability="IMMUTABLE")
    return name


def push_command(repository: str, build: str) -> list[str]:
    """The push of one run's build (each build is another manifest, as docker builds are)."""
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"digest": f"sha256:{build}"},
        }
    )
    return [sys.executable, "-c", PUSH, repository, TAG, REGION, manifest]


def test_two_runs_pushing_the_same_commit_both_deploy_its_image(
    ecr: ECRClient, repository: str
) -> None:
    # Given two runs that both found the image missing and built it
    assert image.exists(ecr, repository, TAG) is False
    outcomes: dict[str, str] = {}

    # When both push at once
    def run(build: str) -> None:
        outcomes[build] = image.push(ecr, repository, TAG, push_command(repository, build))

    runs = [threading.Thread(target=run, args=(build,)) for build in ("a" * 64, "b" * 64)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()

    # Then one pushed, the other takes that image: neither run fails, one image has the tag
    assert sorted(outcomes.values())[0] == "pushed"
    assert sorted(outcomes.values())[1].startswith("pushed by another run")
    described = ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": TAG}])
    assert len(described["imageDetails"]) == 1
    assert image.exists(ecr, repository, TAG) is True


def test_a_failed_push_without_the_image_in_ecr_fails(ecr: ECRClient, repository: str) -> None:
    with pytest.raises(CdError, match=f"pushing {repository}:{TAG} failed"):
        image.push(ecr, repository, TAG, [sys.executable, "-c", "raise SystemExit(1)"])


def test_an_unknown_repository_is_a_clear_failure(ecr: ECRClient) -> None:
    with pytest.raises(CdError, match="cannot query ECR repository no-such-repository"):
        image.exists(ecr, "no-such-repository", TAG)
