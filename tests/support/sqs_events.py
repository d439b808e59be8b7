"""SQS batches for the Lambda handler, shaped like tests/events/sqs_books_import*.json (the
SAM CLI's `sqs receive-message` event): one record per body, each with a new message id."""

import copy
import uuid
from collections.abc import Sequence

from tests.support.lambda_events import Event, load_event

QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:"


def sqs_batch(
    bodies: Sequence[str],
    *,
    queue: str = "bookshop-production-books-import",
    trace_id: str | None = None,
) -> Event:
    """`queue` ending in .fifo gives FIFO records (one message group). Without `trace_id`, the
    records carry no trace id attribute."""
    template = load_event(
        "sqs_books_import_fifo" if queue.endswith(".fifo") else "sqs_books_import"
    )
    (record,) = template["Records"]
    records = []
    for body in bodies:
        made = copy.deepcopy(record)
        made |= {"messageId": str(uuid.uuid4()), "body": body, "eventSourceARN": QUEUE_ARN + queue}
        if trace_id is None:
            made["messageAttributes"] = {}
        else:
            made["messageAttributes"]["trace_id"]["stringValue"] = trace_id
        records.append(made)
    return {"Records": records}


def message_ids(event: Event) -> list[str]:
    return [record["messageId"] for record in event["Records"]]
