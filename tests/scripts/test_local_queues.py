"""Queue work against a real SQS API (moto's server): messages produced by POST
/v1/books/imports or sent directly, delivered to the Lambda handler by `make run`'s poller
(scripts/local_queues.py) the way Lambda's event source mapping does, and stored.

Visibility timeouts are 1 s, so a failed record is back within a second or two.
"""

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from loguru import logger
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import aws
from app.core.settings import testing
from app.db.postgresql.migrate import upgrade_to_head
from app.lambda_handler import LambdaHandler
from scripts.devstack import DevStack
from scripts.local_queues import EventSourceMapping, LocalQueue, create_queue
from tests.background.conftest import book_bodies, titles_by
from tests.conftest import AppFactory, HandlerFactory, app_client
from tests.domains.books.factories import an_author, an_isbn, book_payload
from tests.support.envelope import assert_envelope
from tests.support.lambda_transport import invoke

VISIBILITY = 1  # seconds
MappingFor = Callable[..., EventSourceMapping]


@pytest.fixture
def handler(handler_factory: HandlerFactory) -> LambdaHandler:
    return handler_factory()


@pytest.fixture
def mapping_for(aws_endpoint: str, handler: LambdaHandler) -> MappingFor:
    """An event source mapping from a new queue (ending in -books-import, so the books-import
    consumer takes it) to the handler; `fifo=True` for a FIFO queue."""

    def build(
        *,
        fifo: bool = False,
        max_receive_count: int = 2,
        to: LambdaHandler = handler,
        **options: Any,
    ) -> EventSourceMapping:
        name = f"t{uuid.uuid4().hex[:8]}-books-import" + (".fifo" if fifo else "")
        queue = create_queue(
            aws.sqs(), name, visibility_timeout=VISIBILITY, max_receive_count=max_receive_count
        )
        # A batching window well within the visibility timeout, as the SAM template has it.
        options.setdefault("batching_window", 0.2)
        return EventSourceMapping(
            aws.sqs(), queue, lambda event, context: invoke(to, event, context), **options
        )

    return build


def send(queue: LocalQueue, bodies: list[str]) -> list[str]:
    """The bodies as messages (one message group on a FIFO queue), in order; their ids."""
    ids = []
    for body in bodies:
        if queue.fifo:
            sent = aws.sqs().send_message(
                QueueUrl=queue.url,
                MessageBody=body,
                MessageGroupId="imports",
                MessageDeduplicationId=str(uuid.uuid4()),
            )
        else:
            sent = aws.sqs().send_message(QueueUrl=queue.url, MessageBody=body)
        ids.append(sent["MessageId"])
    return ids


def dead_letters(queue: LocalQueue) -> list[str]:
    """The bodies on the queue's dead-letter queue."""
    received = aws.sqs().receive_message(QueueUrl=queue.dead_letter_url, MaxNumberOfMessages=10)
    return [message["Body"] for message in received.get("Messages", [])]


def after_the_visibility_timeout() -> None:
    time.sleep(VISIBILITY + 0.2)


async def test_imported_books_are_consumed_and_stored(
    mapping_for: MappingFor, app_factory: AppFactory, db_session: AsyncSession
) -> None:
    mapping = mapping_for()
    author = an_author()
    books = [book_payload(author=author, title=title) for title in ("a", "b", "c")]
    async with app_client(app_factory(books_import_queue_url=mapping.queue.url)) as client:
        assert_envelope(await client.post("/v1/books/imports", json={"books": books}), 202)

    delivery = mapping.deliver_once()

    assert delivery is not None
    assert (len(delivery.received), delivery.failed) == (3, [])
    assert sorted(await titles_by(db_session, author)) == ["a", "b", "c"]
    after_the_visibility_timeout()
    assert mapping.deliver_once() is None  # deleted once consumed


async def test_one_bad_record_in_ten_comes_back_then_goes_to_the_dead_letter_queue(
    mapping_for: MappingFor, db_session: AsyncSession
) -> None:
    mapping = mapping_for(max_receive_count=2)
    author = an_author()
    bodies = book_bodies(author, 10)
    bodies[6] = json.dumps({"title": "No author"})
    ids = send(mapping.queue, bodies)

    first = mapping.deliver_once()
    after_the_visibility_timeout()
    second = mapping.deliver_once()
    after_the_visibility_timeout()
    third = mapping.deliver_once()

    assert first is not None
    assert (len(first.received), first.failed) == (10, [ids[6]])
    assert second is not None
    assert (second.received, second.failed) == ([ids[6]], [ids[6]])
    assert third is None  # received twice: SQS moved it to the dead-letter queue
    assert dead_letters(mapping.queue) == [bodies[6]]
    assert sorted(await titles_by(db_session, author)) == sorted(
        str(n) for n in range(10) if n != 6
    )


async def test_a_batch_delivered_again_after_a_lost_answer_has_one_effect(
    mapping_for: MappingFor, handler: LambdaHandler, db_session: AsyncSession
) -> None:
    # The first invocation does the work, but its answer is lost (as when the function times
    # out while answering): the whole batch comes back after the visibility timeout.
    answers = 0

    def loses_its_first_answer(event: dict[str, Any], context: Any) -> object:
        nonlocal answers
        answer = invoke(handler, event, context)
        answers += 1
        if answers == 1:
            raise TimeoutError("Task timed out")
        return answer

    mapping = mapping_for()
    mapping.invoke = loses_its_first_answer
    author = an_author()
    ids = send(mapping.queue, book_bodies(author, 5))

    lost = mapping.deliver_once()
    after_the_visibility_timeout()
    again = mapping.deliver_once()

    assert lost is not None
    assert lost.failed == ids
    assert again is not None
    assert (again.received, again.failed) == (ids, [])
    assert sorted(await titles_by(db_session, author)) == ["0", "1", "2", "3", "4"]


async def test_a_fifo_queue_keeps_the_order_and_stops_at_the_first_failure(
    mapping_for: MappingFor, app_factory: AppFactory, db_session: AsyncSession
) -> None:
    # Book 1 has the ISBN of an active book: refused until that book is deleted.
    isbn = an_isbn()
    async with app_client(app_factory()) as client:
        holder = assert_envelope(await client.post("/v1/books", json=book_payload(isbn=isbn)), 201)
    mapping = mapping_for(fifo=True, max_receive_count=5)
    author = an_author()
    bodies = book_bodies(author, 4)
    bodies[1] = json.dumps(book_payload(author=author, title="1", isbn=isbn))
    ids = send(mapping.queue, bodies)

    stopped = mapping.deliver_once()
    after_the_visibility_timeout()
    still_stopped = mapping.deliver_once()
    async with app_client(app_factory()) as client:
        deleted = await client.delete(f"/v1/books/{holder['id']}")
    after_the_visibility_timeout()
    resumed = mapping.deliver_once()

    assert stopped is not None
    assert (stopped.received, stopped.failed) == (ids, ids[1:])
    assert still_stopped is not None
    assert (still_stopped.received, still_stopped.failed) == (ids[1:], ids[1:])
    assert deleted.status_code == 204
    assert resumed is not None
    assert (resumed.received, resumed.failed) == (ids[1:], [])
    assert await titles_by(db_session, author) == ["0", "1", "2", "3"]  # in creation order


@pytest.fixture
def own_postgresql(tmp_path: Path) -> Iterator[DevStack]:
    """A PostgreSQL of its own (persistent, so a killed server restarts on its data), migrated."""
    with DevStack(tmp_path, only={"postgresql"}) as stack:
        upgrade_to_head(testing.TestingSettings(postgresql_url=stack.urls["POSTGRESQL_URL"]))
        yield stack


def stored_titles(stack: DevStack, author: str) -> list[str]:
    url = make_url(stack.urls["POSTGRESQL_URL"]).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as connection:
        rows = connection.execute("select title from books where author = %s", (author,))
        return sorted(title for (title,) in rows)


def test_the_database_dying_mid_batch_loses_nothing_and_doubles_nothing(
    own_postgresql: DevStack, handler_factory: HandlerFactory, mapping_for: MappingFor
) -> None:
    handler = handler_factory(
        postgresql_url=own_postgresql.urls["POSTGRESQL_URL"], postgresql_connect_timeout_seconds=1
    )
    mapping = mapping_for(to=handler, max_receive_count=5)
    author = an_author()
    ids = send(mapping.queue, book_bodies(author, 10))
    imported = 0

    def kill_after_the_third_import(message: Any) -> None:
        nonlocal imported
        imported += 1
        if imported == 3:
            own_postgresql.kill("postgresql")  # SIGKILL, as a crash, mid-batch

    sink = logger.add(
        kill_after_the_third_import, filter=lambda record: "Imported book" in record["message"]
    )
    try:
        during = mapping.deliver_once()
    finally:
        logger.remove(sink)
    own_postgresql.restart("postgresql")
    before_redelivery = stored_titles(own_postgresql, author)
    after_the_visibility_timeout()
    after = mapping.deliver_once()

    assert during is not None
    assert (during.received, during.failed) == (ids, ids[3:])
    assert before_redelivery == ["0", "1", "2"]
    assert after is not None
    assert (after.received, after.failed) == (ids[3:], [])
    assert stored_titles(own_postgresql, author) == [str(n) for n in range(10)]


def test_a_batch_fills_for_its_batching_window_up_to_its_size(mapping_for: MappingFor) -> None:
    mapping = mapping_for(batch_size=7, batching_window=0.6)
    send(mapping.queue, book_bodies(an_author(), 3))
    later = threading.Timer(0.2, send, (mapping.queue, book_bodies(an_author(), 6)))
    later.start()

    first = mapping.deliver_once()
    second = mapping.deliver_once()
    later.join()

    assert first is not None
    assert len(first.received) == 7  # 3, then 4 of the 6 sent within the window
    assert second is not None
    assert len(second.received) == 2


@pytest.mark.parametrize(
    "answer",
    [
        {"batchItemFailures": [{"itemIdentifier": ""}]},
        {"batchItemFailures": [{"itemIdentifier": "not-a-message-of-this-batch"}]},
        {"batchItemFailures": [{}]},
    ],
)
def test_an_answer_naming_an_unknown_or_empty_id_fails_the_whole_batch(
    mapping_for: MappingFor, answer: dict[str, Any]
) -> None:
    mapping = mapping_for()
    mapping.invoke = lambda event, context: answer
    ids = send(mapping.queue, book_bodies(an_author(), 2))

    delivery = mapping.deliver_once()

    assert delivery is not None
    assert delivery.failed == ids
