"""One SQS batch: each record to its queue's consumer, and the message ids to redeliver.

Lambda deletes every record of the batch that the answer does not name, so a record is named
unless its consumer finished it. A record that raises fails alone. A store outage, the
function's time running out or an error outside the consumers fails every record not done
yet: they are tried again later, not against a store that is down. A FIFO queue stops at its
first failure, so that nothing overtakes it. Nothing raises out of a batch.
"""

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum, auto

from loguru import logger
from pydantic import ValidationError

from app.background.queues import MalformedRecordError, QueueConsumer, QueueRecord, consumer_of
from app.core import metrics
from app.core.context import trace_id_var
from app.core.lines import invocation_line
from app.core.settings import Settings
from app.http.errors.handlers import field_errors
from app.http.errors.mapping import to_api_exception

# The counts of a batch's line.
RECORDS_PROCESSED = "RecordsProcessed"
RECORDS_FAILED = "RecordsFailed"
# Left for the batch line and the answer: no record starts, and none goes on, past this.
TIME_MARGIN_MS = 1000


class Outcome(Enum):
    DONE = auto()
    FAILED = auto()  # this record only
    STOP = auto()  # this record and every one not done yet


async def process_batch(
    records: Sequence[object],
    load_consumers: Callable[[], Iterable[QueueConsumer]],
    settings: Settings,
    remaining_ms: Callable[[], int],
) -> list[str]:
    """Run the batch; return the message ids to redeliver, in order, each once. Its one line
    (app.core.lines) has the duration and the records processed and failed."""
    with invocation_line(f"queue:{_queue_name(records)}"):
        return await _run_batch(records, load_consumers, settings, remaining_ms)


async def _run_batch(
    records: Sequence[object],
    load_consumers: Callable[[], Iterable[QueueConsumer]],
    settings: Settings,
    remaining_ms: Callable[[], int],
) -> list[str]:
    message_ids = _message_ids(records)
    done: set[str] = set()
    try:
        consumers = list(load_consumers())
        for raw in records:
            try:
                record = QueueRecord.from_event(raw)
            except MalformedRecordError as malformed:
                logger.error("Malformed SQS record: {}", malformed)
                continue
            outcome = await _process(record, consumers, settings, remaining_ms)
            if outcome is Outcome.DONE:
                done.add(record.message_id)
            elif outcome is Outcome.STOP:
                break
            elif record.fifo:
                logger.warning("FIFO queue {}: the records after a failed one wait", record.queue)
                break
    except Exception:
        logger.exception(
            "Batch stopped by an unexpected error: the records not done are redelivered"
        )
    failed = [message_id for message_id in message_ids if message_id not in done]
    metrics.count(RECORDS_PROCESSED, len(done))
    metrics.count(RECORDS_FAILED, len(failed))
    log = logger.warning if failed else logger.info
    log("Batch: {} processed, {} failed", len(done), len(failed))
    return failed


async def _process(
    record: QueueRecord,
    consumers: Iterable[QueueConsumer],
    settings: Settings,
    remaining_ms: Callable[[], int],
) -> Outcome:
    """Run the record's consumer, its log lines carrying the producing request's trace id."""
    token = trace_id_var.set(record.trace_id)
    where = f"message {record.message_id} of {record.queue} (receive {record.receive_count})"
    try:
        consumer = consumer_of(record.queue, consumers)
        if consumer is None:
            logger.error("No consumer takes queue {}: {} failed", record.queue, where)
            return Outcome.FAILED
        budget_ms = remaining_ms() - TIME_MARGIN_MS
        if budget_ms <= 0:
            logger.warning("The function's time is running out: {} and the rest wait", where)
            return Outcome.STOP
        try:
            await asyncio.wait_for(consumer.handle(record, settings), budget_ms / 1000)
        except TimeoutError:
            logger.warning("The function's time ran out during {}: it and the rest wait", where)
            return Outcome.STOP
        except Exception as error:
            return _failure(error, where)
        return Outcome.DONE
    finally:
        trace_id_var.reset(token)


def _failure(error: Exception, where: str) -> Outcome:
    """A record's own failure fails it alone; a dependency that is down (what a request would
    answer 503 for) stops the batch."""
    if isinstance(error, ValidationError):
        logger.warning("Invalid {}: {}", where, field_errors(error.errors(include_input=False)))
        return Outcome.FAILED
    translated = to_api_exception(error)
    if translated is None:
        logger.opt(exception=error).error("Failed {}", where)
        return Outcome.FAILED
    if translated.status_code == 503:
        logger.warning("{}: {} and the rest wait", translated.message, where)
        return Outcome.STOP
    logger.warning("Refused {}: {} {}", where, translated.code.code, translated.message)
    return Outcome.FAILED


def _message_ids(records: Sequence[object]) -> list[str]:
    """Each record's message id, once. A record without one cannot be named in the answer
    (never an empty or made-up identifier): it is only logged, as malformed."""
    ids = (raw.get("messageId") if isinstance(raw, Mapping) else None for raw in records)
    return list(dict.fromkeys(id_ for id_ in ids if isinstance(id_, str) and id_))


def _queue_name(records: Sequence[object]) -> str:
    first = records[0] if records else None
    arn = first.get("eventSourceARN") if isinstance(first, Mapping) else None
    return arn.rpartition(":")[2] if isinstance(arn, str) else "unknown"
