"""A batch's rules with consumers of the test's own (a bug, a slow record), run the way the
Lambda entry runs them: what fails alone, what stops the batch, what is reported."""

import asyncio
import json
import time

import pytest

from app.background.batch import TIME_MARGIN_MS, process_batch
from app.background.queues import QueueConsumer, QueueRecord, consumer, consumer_of
from app.core.logging import configure_logging
from app.core.settings import Settings
from tests.conftest import SettingsFactory
from tests.support.sqs_events import message_ids, sqs_batch

QUEUE = "app-test-chores"


@consumer("chores")
async def chores(record: QueueRecord, settings: Settings) -> None:
    """A consumer with a bug on "crash" and a record that takes its time on "slow"."""
    task = json.loads(record.body)
    if task == "crash":
        raise KeyError("a bug")
    if task == "slow":
        await asyncio.sleep(5)


async def run(records: list[object], settings: Settings, remaining_ms: int = 30_000) -> list[str]:
    deadline = time.monotonic() + remaining_ms / 1000
    return await process_batch(
        records,
        lambda: [chores],
        settings,
        lambda: int((deadline - time.monotonic()) * 1000),
    )


async def test_a_record_that_hits_a_bug_fails_alone_with_its_traceback_logged(
    settings_factory: SettingsFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_factory()
    configure_logging(settings)  # readable lines on stderr
    event = sqs_batch([json.dumps(task) for task in ("a", "crash", "b")], queue=QUEUE)

    failed = await run(event["Records"], settings)

    assert failed == [message_ids(event)[1]]
    logged = capsys.readouterr().err
    assert f"Failed message {message_ids(event)[1]}" in logged
    assert "KeyError: 'a bug'" in logged


async def test_a_record_running_out_of_the_functions_time_stops_the_batch(
    settings_factory: SettingsFactory,
) -> None:
    event = sqs_batch([json.dumps(task) for task in ("a", "slow", "b")], queue=QUEUE)
    started = time.monotonic()

    failed = await run(event["Records"], settings_factory(), remaining_ms=TIME_MARGIN_MS + 500)

    assert failed == message_ids(event)[1:]
    assert time.monotonic() - started < 1.0  # cut off, with the margin left for the answer


async def test_a_record_without_a_body_fails_and_the_batch_goes_on(
    settings_factory: SettingsFactory,
) -> None:
    event = sqs_batch([json.dumps(task) for task in ("a", "b")], queue=QUEUE)
    del event["Records"][0]["body"]

    assert await run(event["Records"], settings_factory()) == message_ids(event)[:1]


def test_a_consumer_takes_its_queue_by_name_or_suffix_and_the_longest_name_wins() -> None:
    imports = QueueConsumer("import", chores.handle)
    books = QueueConsumer("books-import", chores.handle)

    assert books.takes("books-import")
    assert books.takes("shop-production-books-import.fifo")
    assert not books.takes("shop-production-books-imports")
    assert not books.takes("ebooks-import")
    assert imports.takes("shop-books-import")
    assert consumer_of("shop-books-import", [imports, books]) is books
    assert consumer_of("shop-books-export", [imports, books]) is None
