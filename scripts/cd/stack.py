"""What the stack's state allows before a deploy.

A first deploy that failed leaves the stack in ROLLBACK_COMPLETE, which no update can leave:
CD deletes it (nothing in it was ever created) and deploys afresh. A stack CloudFormation is
still working on is waited for. States that need a person stop the deploy with the command to
run.
"""

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from scripts.cd.errors import CdError

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient

# No stack yet, or one created by a change set that never ran: the deploy creates it.
ABSENT = {None, "REVIEW_IN_PROGRESS", "DELETE_COMPLETE"}
DEPLOYABLE = {
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_COMPLETE",
}
WAIT_SECONDS = 3600


def status_of(cloudformation: "CloudFormationClient", stack_name: str) -> str | None:
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    return stacks[0]["StackStatus"]


def settled_status(
    cloudformation: "CloudFormationClient",
    stack_name: str,
    poll_seconds: float,
    sleep: Callable[[float], None] = time.sleep,
) -> str | None:
    """The stack's status once no operation is in progress on it (an earlier deploy's, a
    canary still shifting traffic, a delete)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        status = status_of(cloudformation, stack_name)
        if status is None or not status.endswith("_IN_PROGRESS") or status == "REVIEW_IN_PROGRESS":
            return status
        if time.monotonic() > deadline:
            raise CdError(f"stack {stack_name} is still {status} after {WAIT_SECONDS} s")
        print(f"Stack {stack_name} is {status}: waiting for it to finish")
        sleep(poll_seconds)


def prepare(
    cloudformation: "CloudFormationClient", stack_name: str, poll_seconds: float = 15
) -> bool:
    """Make the stack deployable; True when the deploy will create it."""
    status = settled_status(cloudformation, stack_name, poll_seconds)
    if status in ABSENT:
        return True
    if status in DEPLOYABLE:
        return False
    if status == "ROLLBACK_COMPLETE":
        print(
            f"Stack {stack_name} is ROLLBACK_COMPLETE: its first deploy failed and created "
            "nothing that remains; deleting it to deploy again (its events are kept)"
        )
        cloudformation.delete_stack(StackName=stack_name)
        if settled_status(cloudformation, stack_name, poll_seconds) not in ABSENT:
            raise CdError(f"stack {stack_name} could not be deleted: see its events")
        return True
    if status == "UPDATE_ROLLBACK_FAILED":
        raise CdError(
            f"stack {stack_name} is UPDATE_ROLLBACK_FAILED: a resource could not be rolled back "
            "(its events name it). Fix the cause, then run "
            f"`aws cloudformation continue-update-rollback --stack-name {stack_name}` (add "
            "`--resources-to-skip <logical id>` for a resource that cannot be restored), and "
            "run CD again"
        )
    raise CdError(
        f"stack {stack_name} is {status}: see its events, then delete it with "
        f"`aws cloudformation delete-stack --stack-name {stack_name}` and run CD again"
    )
