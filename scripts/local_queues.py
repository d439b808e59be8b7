"""`make run`'s queues: the SQS queues of the registered consumers, each with its dead-letter
queue, and a poller that delivers their messages to the Lambda handler the way Lambda's event
source mapping does (docs/background.md says where it differs).

Run by scripts/devstack.py beside the app, against the local SQS server it started (or the
one AWS_ENDPOINT_URL_SQS names): it creates the queues, writes their URL variables (e.g.
BOOKS_IMPORT_QUEUE_URL) to `--ready-file` for the app, then polls until stopped.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.lambda_server import LocalLambdaContext, new_context  # noqa: E402

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.literals import QueueAttributeNameType
    from mypy_boto3_sqs.type_defs import (
        ChangeMessageVisibilityBatchRequestEntryTypeDef,
        DeleteMessageBatchRequestEntryTypeDef,
        MessageTypeDef,
    )

Invoke = Callable[[dict[str, Any], LocalLambdaContext], object]

FIFO_SUFFIX = ".fifo"
MAX_RECEIVE = 10  # ReceiveMessage's and DeleteMessageBatch's limit


@dataclass(frozen=True)
class LocalQueue:
    name: str
    url: str
    arn: str
    dead_letter_url: str
    visibility_timeout: int

    @property
    def fifo(self) -> bool:
        return self.name.endswith(FIFO_SUFFIX)


def create_queue(
    sqs: SQSClient, name: str, *, visibility_timeout: int, max_receive_count: int
) -> LocalQueue:
    """Queue `name` (FIFO when it ends in .fifo) and its dead-letter queue `<name>-dlq`, which
    a message reaches after `max_receive_count` receives. Idempotent."""
    fifo = name.endswith(FIFO_SUFFIX)
    base = name.removesuffix(FIFO_SUFFIX)
    kind: dict[QueueAttributeNameType, str] = {"FifoQueue": "true"} if fifo else {}
    dead_letter_name = f"{base}-dlq{FIFO_SUFFIX if fifo else ''}"
    dead_letter_url = sqs.create_queue(QueueName=dead_letter_name, Attributes=kind)["QueueUrl"]
    redrive = {
        "deadLetterTargetArn": _arn(sqs, dead_letter_url),
        "maxReceiveCount": max_receive_count,
    }
    attributes: dict[QueueAttributeNameType, str] = {
        **kind,
        "VisibilityTimeout": str(visibility_timeout),
        "RedrivePolicy": json.dumps(redrive),
    }
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return LocalQueue(name, url, _arn(sqs, url), dead_letter_url, visibility_timeout)


def create_consumer_queues(
    sqs: SQSClient, *, visibility_timeout: int, max_receive_count: int
) -> list[LocalQueue]:
    """A queue (with its dead-letter queue) for each consumer the domains register."""
    from app.background.queues import QueueConsumer
    from app.domains import domain_members

    return [
        create_queue(
            sqs,
            consumer.name,
            visibility_timeout=visibility_timeout,
            max_receive_count=max_receive_count,
        )
        for consumer in domain_members("consumers", QueueConsumer)
    ]


def queue_urls(queues: Iterable[LocalQueue]) -> dict[str, str]:
    """The settings that give the queues' URLs to their producers (BOOKS_IMPORT_QUEUE_URL)."""
    from app.background.queues import queue_url_variable

    return {queue_url_variable(queue.name): queue.url for queue in queues}


def _arn(sqs: SQSClient, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]


@dataclass(frozen=True)
class Delivery:
    received: list[str]  # message ids, in order
    failed: list[str]  # not deleted: back after the visibility timeout


class EventSourceMapping:
    """One queue's messages to the handler, as Lambda's SQS event source mapping does with
    ReportBatchItemFailures: a batch of up to `batch_size` gathered for up to
    `batching_window` seconds, one invocation, the records it does not report deleted. An
    invocation that raises, or an answer naming an unknown or empty id, fails the whole batch."""

    def __init__(
        self,
        sqs: SQSClient,
        queue: LocalQueue,
        invoke: Invoke,
        *,
        batch_size: int = 10,
        batching_window: float = 1.0,
        function_timeout: float = 30.0,
        function_name: str = "app-local-queues",
    ) -> None:
        self.sqs = sqs
        self.queue = queue
        self.invoke = invoke
        self.batch_size = batch_size
        self.batching_window = batching_window
        self.function_timeout = function_timeout
        self.function_name = function_name
        self._failed_fifo: list[tuple[float, list[str]]] = []  # (back at, receipt handles)

    def deliver_once(self, wait_seconds: int = 0) -> Delivery | None:
        """Receive a batch (waiting up to `wait_seconds` for its first message), invoke the
        handler with it, delete what succeeded. None when the queue had nothing."""
        self._release_failed_fifo()
        messages = self._receive(wait_seconds)
        if not messages:
            return None
        received = [message["MessageId"] for message in messages]
        event = {"Records": [self._record(message) for message in messages]}
        try:
            answer = self.invoke(event, new_context(self.function_name, self.function_timeout))
        except Exception as error:  # as Lambda: a function error fails the whole batch
            print(f"local-queues: {self.queue.name}: the handler raised {error!r}", file=sys.stderr)
            failed = received
        else:
            failed = _reported_failures(answer, received)
        self._delete([message for message in messages if message["MessageId"] not in failed])
        if self.queue.fifo and failed:
            handles = [m["ReceiptHandle"] for m in messages if m["MessageId"] in failed]
            self._failed_fifo.append((time.monotonic() + self.queue.visibility_timeout, handles))
        return Delivery(received, failed)

    def _release_failed_fifo(self) -> None:
        """Failed FIFO messages whose visibility timeout is over are made visible together.
        Left to expire one by one, moto's server delivers the last of a message group first
        (it still counts the group as in flight while it looks at the earlier ones); SQS
        keeps the order."""
        now = time.monotonic()
        due = [handles for back_at, handles in self._failed_fifo if back_at <= now]
        self._failed_fifo = [entry for entry in self._failed_fifo if entry[0] > now]
        for handles in due:
            for start in range(0, len(handles), MAX_RECEIVE):
                entries: list[ChangeMessageVisibilityBatchRequestEntryTypeDef] = [
                    {"Id": str(index), "ReceiptHandle": handle, "VisibilityTimeout": 0}
                    for index, handle in enumerate(handles[start : start + MAX_RECEIVE])
                ]
                self.sqs.change_message_visibility_batch(QueueUrl=self.queue.url, Entries=entries)

    def _receive(self, wait_seconds: int) -> list[MessageTypeDef]:
        messages = self._receive_up_to(self.batch_size, wait_seconds)
        window_ends = time.monotonic() + self.batching_window
        while messages and len(messages) < self.batch_size and time.monotonic() < window_ends:
            more = self._receive_up_to(self.batch_size - len(messages), 0)
            if more:
                messages += more
            else:
                time.sleep(0.05)
        return messages

    def _receive_up_to(self, count: int, wait_seconds: int) -> list[MessageTypeDef]:
        response = self.sqs.receive_message(
            QueueUrl=self.queue.url,
            MaxNumberOfMessages=min(count, MAX_RECEIVE),
            WaitTimeSeconds=wait_seconds,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return list(response.get("Messages", []))

    def _record(self, message: MessageTypeDef) -> dict[str, Any]:
        """The message as an SQS event record (the shape of tests/events/sqs_*.json)."""
        attributes: dict[str, dict[str, object]] = {
            name: {
                "stringValue": value.get("StringValue"),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value["DataType"],
            }
            for name, value in message.get("MessageAttributes", {}).items()
        }
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": dict(message.get("Attributes", {})),
            "messageAttributes": attributes,
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue.arn,
            "awsRegion": self.queue.arn.split(":")[3],
        }

    def _delete(self, messages: Sequence[MessageTypeDef]) -> None:
        for start in range(0, len(messages), MAX_RECEIVE):
            batch = messages[start : start + MAX_RECEIVE]
            entries: list[DeleteMessageBatchRequestEntryTypeDef] = [
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                for index, message in enumerate(batch)
            ]
            self.sqs.delete_message_batch(QueueUrl=self.queue.url, Entries=entries)


def _reported_failures(answer: object, received: Sequence[str]) -> list[str]:
    """The ids the answer reports; every id when the answer names one that is not in the batch
    (Lambda then retries the whole batch). No answer, or no list, means none failed."""
    failures = answer.get("batchItemFailures") if isinstance(answer, Mapping) else None
    if not failures:
        return []
    identifiers = [
        item.get("itemIdentifier") if isinstance(item, Mapping) else None for item in failures
    ]
    if not all(
        isinstance(identifier, str) and identifier in received for identifier in identifiers
    ):
        print(
            f"local-queues: invalid batchItemFailures {failures!r}: the batch fails",
            file=sys.stderr,
        )
        return list(received)
    return [str(identifier) for identifier in identifiers]


def poll(mappings: Iterable[EventSourceMapping], stopped: Callable[[], bool]) -> None:
    """Deliver every queue's messages until `stopped`; an SQS error is reported, then retried."""
    mappings = list(mappings)
    while not stopped():
        for mapping in mappings:
            try:
                delivery = mapping.deliver_once(wait_seconds=1 if len(mappings) == 1 else 0)
            except Exception as error:
                print(f"local-queues: {mapping.queue.name}: {error!r}", file=sys.stderr)
                time.sleep(1)
                continue
            if delivery is not None:
                print(
                    f"local-queues: {mapping.queue.name}: {len(delivery.received)} delivered, "
                    f"{len(delivery.failed)} failed",
                    file=sys.stderr,
                )
        if len(mappings) != 1:
            time.sleep(0.2)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--ready-file", type=Path, required=True, help="where to write the URLs")
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--batching-window", type=float, default=1.0, help="seconds")
    parser.add_argument("--visibility-timeout", type=int, default=10, help="seconds")
    parser.add_argument("--max-receive-count", type=int, default=3)
    parser.add_argument("--function-timeout", type=float, default=10.0, help="seconds")
    args = parser.parse_args(argv)

    from app.core import aws
    from app.main import handler

    sqs = aws.sqs()
    queues = create_consumer_queues(
        sqs, visibility_timeout=args.visibility_timeout, max_receive_count=args.max_receive_count
    )
    urls = queue_urls(queues)
    partial = args.ready_file.with_suffix(".partial")
    partial.write_text(json.dumps(urls))
    partial.replace(args.ready_file)
    for variable, url in urls.items():
        print(f"local-queues: {variable}={url}", file=sys.stderr)
    stop = False

    def request_stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    mappings = [
        EventSourceMapping(
            sqs,
            queue,
            handler,
            batch_size=args.batch_size,
            batching_window=args.batching_window,
            function_timeout=args.function_timeout,
        )
        for queue in queues
    ]
    poll(mappings, lambda: stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
