"""moto's CloudFormation for the CD tests. moto never fails a deploy, so a test gives a stack the
status a failed deploy would leave, in moto's store (the server runs in this process)."""

from collections.abc import Callable
from typing import cast

import pytest
from botocore.session import get_session
from moto.cloudformation.models import cloudformation_backends
from mypy_boto3_cloudformation import CloudFormationClient

from tests.support.aws_stand_ins import REGION

MOTO_ACCOUNT_ID = "123456789012"
StatusSetter = Callable[[str, str], None]


@pytest.fixture
def cloudformation(aws_endpoint: str) -> CloudFormationClient:
    return cast(
        "CloudFormationClient", get_session().create_client("cloudformation", region_name=REGION)
    )


@pytest.fixture
def give_status() -> StatusSetter:
    def set_status(stack_name: str, status: str) -> None:
        backend = cloudformation_backends[MOTO_ACCOUNT_ID][REGION]
        (found,) = [entry for entry in backend.stacks.values() if entry.name == stack_name]
        found.status = status

    return set_status
