"""Queue consumers: a record as a consumer sees it, and how a queue finds its consumer.

A consumer is registered under a name and takes the records of the queue called that name,
or ending in `-<name>` (a stack prefixes its queues), with `.fifo` on FIFO queues.
"""

import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass

from app.core.settings import Settings

TRACE_ID_ATTRIBUTE = "trace_id"
FIFO_SUFFIX = ".fifo"
# Names the effect of a message: the same message id always gives the same UUID.
_EFFECT_NAMESPACE = uuid.UUID("6c8f3e0a-51d2-4a8e-9a7b-2f4b1d9c0e57")


class MalformedRecordError(ValueError):
    """An SQS record without what every SQS record has (a message id, a body, a source)."""


@dataclass(frozen=True, slots=True)
class QueueRecord:
    """One SQS message of a batch."""

    message_id: str
    body: str
    queue: str  # the queue's name: what follows the last ":" of its ARN
    trace_id: str  # the producing request's, else the message id
    receive_count: int

    @property
    def effect_id(self) -> uuid.UUID:
        """The id of what this message creates: the same on every delivery of the message, so
        a consumer that stores it as the new row's or document's id has its effect once."""
        return uuid.uuid5(_EFFECT_NAMESPACE, self.message_id)

    @property
    def fifo(self) -> bool:
        return self.queue.endswith(FIFO_SUFFIX)

    @classmethod
    def from_event(cls, record: object) -> "QueueRecord":
        """The record of a Lambda SQS event (`Records[i]`)."""
        fields = _mapping(record)
        message_id = fields.get("messageId")
        if not isinstance(message_id, str) or not message_id:
            raise MalformedRecordError(f"a record without a messageId: {record!r:.200}")
        body, arn = fields.get("body"), fields.get("eventSourceARN")
        if not isinstance(body, str) or not isinstance(arn, str):
            raise MalformedRecordError(f"record {message_id} has no body or eventSourceARN")
        attributes = _mapping(fields.get("messageAttributes"))
        trace_id = _mapping(attributes.get(TRACE_ID_ATTRIBUTE)).get("stringValue")
        count = str(_mapping(fields.get("attributes")).get("ApproximateReceiveCount", "1"))
        return cls(
            message_id=message_id,
            body=body,
            queue=arn.rpartition(":")[2],
            trace_id=trace_id if isinstance(trace_id, str) and trace_id else message_id,
            receive_count=int(count) if count.isdigit() else 1,
        )


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


ConsumerHandler = Callable[[QueueRecord, Settings], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class QueueConsumer:
    name: str
    handle: ConsumerHandler

    def takes(self, queue: str) -> bool:
        name = queue.removesuffix(FIFO_SUFFIX)
        return name == self.name or name.endswith(f"-{self.name}")


def consumer(name: str) -> Callable[[ConsumerHandler], QueueConsumer]:
    """Register the decorated `async def handle(record, settings)` as the consumer of queue
    `name`, in a domain's `consumers` module. It raises to fail the record."""

    def register(handle: ConsumerHandler) -> QueueConsumer:
        return QueueConsumer(name, handle)

    return register


def consumer_of(queue: str, consumers: Iterable[QueueConsumer]) -> QueueConsumer | None:
    """The consumer that takes `queue`; the longest name wins ("books-import" over "import")."""
    candidates = [candidate for candidate in consumers if candidate.takes(queue)]
    return max(candidates, key=lambda candidate: len(candidate.name), default=None)


def queue_url_variable(name: str) -> str:
    """The setting that names queue `name`'s URL for its producers: BOOKS_IMPORT_QUEUE_URL for
    "books-import" (`make run` sets it for every consumer's local queue)."""
    return name.upper().replace("-", "_") + "_QUEUE_URL"
