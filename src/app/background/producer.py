"""Queueing from a request: one SQS message per body, each carrying the request's trace id.

Sent in batches of ten (SendMessageBatch) from a worker thread, as botocore blocks. The
guarantee: the call returns only when every message is in the queue. Otherwise it raises
503/9006 with `details` saying which bodies were not queued (`not_queued`, their positions)
and how many were (`queued`): when SQS refuses some entries of a batch, those are sent once
more; when SQS cannot be reached, nothing after that batch is attempted.
"""

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from loguru import logger

from app.background.queues import TRACE_ID_ATTRIBUTE, queue_url_variable
from app.core import aws
from app.core.context import get_trace_id
from app.http.errors.codes import CommonInternalCode
from app.http.errors.exceptions import ServiceUnavailableError

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import (
        MessageAttributeValueTypeDef,
        SendMessageBatchRequestEntryTypeDef,
    )

BATCH_SIZE = 10  # SendMessageBatch's limit


def queue_unavailable(total: int, not_queued: Sequence[int]) -> ServiceUnavailableError:
    return ServiceUnavailableError(
        "The queue is unavailable, retry later",
        code=CommonInternalCode.QUEUE_UNAVAILABLE,
        details={"queued": total - len(not_queued), "not_queued": list(not_queued)},
        headers={"Retry-After": "1"},
    )


async def send_messages(queue: str, queue_url: str | None, bodies: Sequence[str]) -> None:
    """Queue each body on `queue` (its URL from the `queue_url_variable(queue)` setting)."""
    if not queue_url:
        logger.warning(
            "{} is not set: nothing can be queued on {}", queue_url_variable(queue), queue
        )
        raise queue_unavailable(len(bodies), range(len(bodies)))
    trace: dict[str, MessageAttributeValueTypeDef] = {
        TRACE_ID_ATTRIBUTE: {"DataType": "String", "StringValue": get_trace_id()}
    }
    entries: list[SendMessageBatchRequestEntryTypeDef] = [
        {"Id": str(index), "MessageBody": body, "MessageAttributes": trace}
        for index, body in enumerate(bodies)
    ]
    not_queued: list[int] = []
    for start in range(0, len(entries), BATCH_SIZE):
        batch = entries[start : start + BATCH_SIZE]
        try:
            refused = await asyncio.to_thread(_send_batch, queue_url, batch)
            if refused:
                again = [entry for entry in batch if entry["Id"] in refused]
                refused = await asyncio.to_thread(_send_batch, queue_url, again)
        except _Unreachable as error:
            logger.warning("SQS could not be reached for {}: {}", queue, error)
            not_queued += range(start, len(entries))
            break
        not_queued += sorted(int(entry_id) for entry_id in refused)
    if not_queued:
        raise queue_unavailable(len(entries), not_queued)


class _Unreachable(Exception):
    """SQS could not be reached, or refused a whole batch (after the SDK's own retries)."""


def _send_batch(queue_url: str, batch: "list[SendMessageBatchRequestEntryTypeDef]") -> set[str]:
    """The ids of the entries SQS did not take. Run in a worker thread, the client's creation
    too: the first call imports botocore and makes the client."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        response = aws.sqs().send_message_batch(QueueUrl=queue_url, Entries=batch)
    except (BotoCoreError, ClientError) as error:
        raise _Unreachable(repr(error)) from error
    failed = response.get("Failed", [])
    for failure in failed:
        logger.warning(
            "SQS refused message {}: {} {}", failure["Id"], failure["Code"], failure.get("Message")
        )
    return {failure["Id"] for failure in failed}
