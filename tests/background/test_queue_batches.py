"""SQS batches through the Lambda handler (SAM CLI-shaped events): each record to its queue's
consumer, `batchItemFailures` naming exactly what must come back, and never a raise."""

import json
import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.lambda_handler import LambdaHandler
from tests.background.conftest import book_bodies, json_lines, titles_by
from tests.conftest import HandlerFactory
from tests.domains.books.factories import an_author, an_isbn, book_payload
from tests.support.emf import validate_emf
from tests.support.lambda_events import lambda_context, load_event
from tests.support.lambda_transport import invoke
from tests.support.sqs_events import message_ids, sqs_batch


def failures(answer: dict[str, list[dict[str, str]]]) -> list[str]:
    assert set(answer) == {"batchItemFailures"}, answer
    return [item["itemIdentifier"] for item in answer["batchItemFailures"]]


async def test_the_sam_cli_event_creates_its_book_and_logs_with_its_trace_id(
    handler: LambdaHandler, db_session: AsyncSession, capsys: pytest.CaptureFixture[str]
) -> None:
    event = load_event("sqs_books_import")
    author = an_author()
    (record,) = event["Records"]
    record["body"] = json.dumps(book_payload(author=author, title="Neuromancer"))
    record["messageId"] = str(uuid.uuid4())  # the file's id names a book made on an earlier run
    trace_id = record["messageAttributes"]["trace_id"]["stringValue"]

    answer = invoke(handler, event)

    assert answer == {"batchItemFailures": []}
    assert await titles_by(db_session, author) == ["Neuromancer"]
    imported = [
        line for line in json_lines(capsys.readouterr().out) if "Imported book" in line["message"]
    ]
    assert [line["trace_id"] for line in imported] == [trace_id]


async def test_a_bad_record_fails_alone_with_its_validation_details_logged(
    handler: LambdaHandler, db_session: AsyncSession, capsys: pytest.CaptureFixture[str]
) -> None:
    author = an_author()
    bodies = book_bodies(author, 10)
    bodies[3] = json.dumps(book_payload(author=author, title="", year="1984"))
    event = sqs_batch(bodies, trace_id="import-trace-1")

    answer = invoke(handler, event)

    assert failures(answer) == [message_ids(event)[3]]
    assert sorted(await titles_by(db_session, author)) == sorted(
        str(n) for n in range(10) if n != 3
    )
    (invalid,) = [
        line
        for line in json_lines(capsys.readouterr().out)
        if line["message"].startswith("Invalid")
    ]
    assert message_ids(event)[3] in invalid["message"]
    assert "'field': 'title'" in invalid["message"]
    assert "'field': 'year'" in invalid["message"]
    assert invalid["trace_id"] == "import-trace-1"


async def test_the_same_batch_twice_has_one_effect(
    handler: LambdaHandler, db_session: AsyncSession
) -> None:
    author = an_author()
    event = sqs_batch(book_bodies(author, 3))

    first, second = invoke(handler, event), invoke(handler, event)

    assert failures(first) == failures(second) == []
    assert sorted(await titles_by(db_session, author)) == ["0", "1", "2"]


async def test_a_record_refused_by_the_domain_fails_alone(
    handler: LambdaHandler, db_session: AsyncSession, capsys: pytest.CaptureFixture[str]
) -> None:
    author, isbn = an_author(), an_isbn()
    bodies = [json.dumps(book_payload(author=author, title=title, isbn=isbn)) for title in "ab"]
    bodies.append(json.dumps(book_payload(author=author, title="c")))
    event = sqs_batch(bodies)

    answer = invoke(handler, event)

    assert failures(answer) == [message_ids(event)[1]]
    assert await titles_by(db_session, author) == ["a", "c"]
    assert "Refused message" in capsys.readouterr().out


async def test_a_fifo_queue_stops_at_the_first_failure(
    handler: LambdaHandler, db_session: AsyncSession
) -> None:
    author = an_author()
    bodies = book_bodies(author, 4)
    bodies[1] = "{not json"
    event = sqs_batch(bodies, queue="bookshop-production-books-import.fifo")

    answer = invoke(handler, event)

    assert failures(answer) == message_ids(event)[1:]
    assert await titles_by(db_session, author) == ["0"]


async def test_a_record_of_an_unregistered_queue_is_a_logged_failure(
    handler: LambdaHandler, db_session: AsyncSession, capsys: pytest.CaptureFixture[str]
) -> None:
    author = an_author()
    event = sqs_batch(book_bodies(author, 2), queue="bookshop-production-books-export")

    answer = invoke(handler, event)

    assert failures(answer) == message_ids(event)
    assert await titles_by(db_session, author) == []
    errors = [line for line in json_lines(capsys.readouterr().out) if line["level"] == "ERROR"]
    assert [
        "No consumer takes queue bookshop-production-books-export" in line["message"]
        for line in errors
    ] == [True, True]


async def test_when_the_time_runs_out_no_record_starts(
    handler: LambdaHandler, db_session: AsyncSession
) -> None:
    author = an_author()
    event = sqs_batch(book_bodies(author, 3))

    answer = invoke(handler, event, lambda_context(timeout_s=0.5))

    assert failures(answer) == message_ids(event)
    assert await titles_by(db_session, author) == []


async def test_a_store_outage_fails_every_record_not_done_without_raising(
    handler_factory: HandlerFactory,
    closed_port_postgresql_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = handler_factory(postgresql_url=closed_port_postgresql_url)
    event = sqs_batch(book_bodies(an_author(), 3))

    answer = invoke(handler, event)

    assert failures(answer) == message_ids(event)
    output = capsys.readouterr().out
    stopped = [line for line in json_lines(output) if "the rest wait" in line["message"]]
    assert len(stopped) == 1  # the first record's outage stops the batch
    assert "PostgreSQL is unavailable" in stopped[0]["message"]


async def test_an_unexpected_error_fails_the_records_not_done(
    handler: LambdaHandler, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A registry naming a domain twice registers its consumer twice: the batch cannot know
    # which one should run.
    monkeypatch.setattr("app.domains.DOMAINS", ("books", "books"))
    event = sqs_batch(book_bodies(an_author(), 2))

    answer = invoke(handler, event)

    assert failures(answer) == message_ids(event)
    assert (
        "registered twice in the domains' consumers modules: books-import"
        in capsys.readouterr().out
    )


async def test_a_record_without_a_message_id_is_never_reported(
    handler: LambdaHandler, db_session: AsyncSession, capsys: pytest.CaptureFixture[str]
) -> None:
    author = an_author()
    event = sqs_batch(book_bodies(author, 2))
    event["Records"][0]["messageId"] = ""

    answer = invoke(handler, event)

    assert failures(answer) == []
    assert await titles_by(db_session, author) == ["1"]
    assert "a record without a messageId" in capsys.readouterr().out


def test_the_batch_writes_one_line_with_its_counts_as_metrics(
    handler: LambdaHandler, capsys: pytest.CaptureFixture[str]
) -> None:
    bodies = book_bodies(an_author(), 3)
    bodies[2] = "{}"
    invoke(handler, sqs_batch(bodies))

    (line,) = [line for line in json_lines(capsys.readouterr().out) if "invocation" in line]
    assert line["invocation"] == "queue:bookshop-production-books-import"
    assert line["level"] == "INFO"
    data = validate_emf(line)
    values = {datum.name: datum.values for datum in data}
    assert (values["RecordsProcessed"], values["RecordsFailed"]) == ((2,), (1,))
    assert values["Duration"] == (line["duration_ms"],)
    assert {datum.dimensions for datum in data} == {
        (("Service", line["Service"]), ("Environment", line["Environment"])),
        (
            ("Service", line["Service"]),
            ("Environment", line["Environment"]),
            ("Invocation", "queue:bookshop-production-books-import"),
        ),
    }
