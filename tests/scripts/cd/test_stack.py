"""CD and the stack's state, against moto's CloudFormation API (real HTTP, real botocore). moto
never fails a deploy, so each state is given to the stack in moto's store, as a failed deploy
would leave it."""

import json
import threading
import time
from collections.abc import Callable

import pytest
from mypy_boto3_cloudformation import CloudFormationClient

from scripts.cd import stack
from scripts.cd.errors import CdError
from tests.scripts.cd.conftest import StatusSetter

TEMPLATE = json.dumps({"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}})
StackIn = Callable[[str], str]


@pytest.fixture
def stack_in(
    cloudformation: CloudFormationClient, give_status: StatusSetter, request: pytest.FixtureRequest
) -> StackIn:
    """A new stack of this test, left in the given status; returns its name."""

    def create(status: str) -> str:
        name = f"fastapi-lambda-{request.node.name[:40].replace('_', '-')}-{time.monotonic_ns()}"
        cloudformation.create_stack(StackName=name, TemplateBody=TEMPLATE)
        give_status(name, status)
        return name

    return create


def test_a_stack_a_failed_first_deploy_left_is_deleted_before_deploying(
    cloudformation: CloudFormationClient, stack_in: StackIn
) -> None:
    name = stack_in("ROLLBACK_COMPLETE")

    created = stack.prepare(cloudformation, name, poll_seconds=0.1)

    # Then the deploy creates it afresh: the dead stack is gone
    assert created is True
    assert stack.status_of(cloudformation, name) is None


def test_a_stack_whose_update_rollback_failed_stops_with_the_command_to_run(
    cloudformation: CloudFormationClient, stack_in: StackIn
) -> None:
    name = stack_in("UPDATE_ROLLBACK_FAILED")

    with pytest.raises(CdError) as stopped:
        stack.prepare(cloudformation, name, poll_seconds=0.1)

    assert f"`aws cloudformation continue-update-rollback --stack-name {name}`" in str(
        stopped.value
    )
    assert stack.status_of(cloudformation, name) == "UPDATE_ROLLBACK_FAILED"


@pytest.mark.parametrize(
    "status", ["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"]
)
def test_a_deployable_stack_is_updated_never_deleted(
    cloudformation: CloudFormationClient, stack_in: StackIn, status: str
) -> None:
    name = stack_in(status)

    assert stack.prepare(cloudformation, name, poll_seconds=0.1) is False
    assert stack.status_of(cloudformation, name) == status


def test_no_stack_yet_is_created(cloudformation: CloudFormationClient) -> None:
    assert stack.prepare(cloudformation, "fastapi-lambda-never-deployed", poll_seconds=0.1) is True


def test_a_stack_being_updated_is_waited_for(
    cloudformation: CloudFormationClient, stack_in: StackIn, give_status: StatusSetter
) -> None:
    # Given a stack still shifting traffic from an earlier deploy, done half a second later
    name = stack_in("UPDATE_IN_PROGRESS")
    finish = threading.Timer(0.5, give_status, (name, "UPDATE_COMPLETE"))
    finish.start()

    started = time.monotonic()
    created = stack.prepare(cloudformation, name, poll_seconds=0.1)

    assert created is False
    assert time.monotonic() - started >= 0.5
    finish.join()


def test_a_stack_that_failed_to_delete_stops_with_the_command_to_run(
    cloudformation: CloudFormationClient, stack_in: StackIn
) -> None:
    name = stack_in("DELETE_FAILED")

    with pytest.raises(CdError, match=f"aws cloudformation delete-stack --stack-name {name}"):
        stack.prepare(cloudformation, name, poll_seconds=0.1)
