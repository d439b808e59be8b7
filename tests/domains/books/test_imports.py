"""POST /v1/books/imports: validated like POST /v1/books, all or none, then one SQS message per
book (moto's server, real botocore), each carrying the request's trace id; 503/9006 with an
account of what was queued when the queue is not set or SQS cannot take them."""

import json
import uuid
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fastapi import FastAPI

from app.core import aws
from tests.conftest import AppFactory
from tests.domains.books.factories import book_payload
from tests.fixtures.aws import point_sdk_at
from tests.support.envelope import assert_envelope
from tests.support.http_stub import HttpStub, RecordedRequest, http_stub
from tests.support.ports import closed_port
from tests.support.token_issuer import TokenIssuer

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import MessageTypeDef

IMPORTS = "/v1/books/imports"
ClientFor = Callable[[FastAPI], httpx.AsyncClient]


@pytest.fixture
def queue_url(aws_endpoint: str) -> str:
    return aws.sqs().create_queue(QueueName=f"t{uuid.uuid4().hex[:8]}-books-import")["QueueUrl"]


def queued_messages(queue_url: str) -> "list[MessageTypeDef]":
    """Every message on the queue, in no particular order."""
    messages: list[MessageTypeDef] = []
    while (
        batch := aws.sqs()
        .receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        .get("Messages", [])
    ):
        messages += batch
    return messages


async def post_import(
    client_for: ClientFor, app: FastAPI, books: list[dict[str, Any]]
) -> httpx.Response:
    async with client_for(app) as client:
        return await client.post(IMPORTS, json={"books": books})


async def test_each_book_is_one_message_carrying_the_trace_id(
    app_factory: AppFactory, client_for: ClientFor, queue_url: str
) -> None:
    books = [book_payload(isbn="0-306-40615-2") if n == 0 else book_payload() for n in range(12)]

    response = await post_import(client_for, app_factory(books_import_queue_url=queue_url), books)

    assert assert_envelope(response, 202) == {"queued": 12}
    messages = queued_messages(queue_url)
    trace_ids = {message["MessageAttributes"]["trace_id"]["StringValue"] for message in messages}
    assert trace_ids == {response.json()["trace_id"]}
    bodies = [json.loads(message["Body"]) for message in messages]
    assert sorted(body["title"] for body in bodies) == sorted(book["title"] for book in books)
    # Validated as POST /v1/books: what the consumer gets is the normalised book.
    assert "9780306406157" in {body["isbn"] for body in bodies}


@pytest.mark.parametrize(
    ("books", "field"),
    [
        ([], "body.books"),
        ([book_payload() for _ in range(101)], "body.books"),
        ([book_payload(), book_payload(title=""), book_payload()], "body.books.1.title"),
        ([book_payload(), book_payload(colour="red")], "body.books.1.colour"),
    ],
)
async def test_one_bad_book_refuses_them_all_and_queues_nothing(
    app_factory: AppFactory,
    client_for: ClientFor,
    queue_url: str,
    books: list[dict[str, Any]],
    field: str,
) -> None:
    response = await post_import(client_for, app_factory(books_import_queue_url=queue_url), books)

    details = assert_envelope(response, 422, code=8001)
    assert field in {error["field"] for error in details["errors"]}
    assert queued_messages(queue_url) == []


async def test_without_a_queue_url_nothing_is_queued_and_the_answer_is_503(
    app: FastAPI, client_for: ClientFor
) -> None:
    response = await post_import(client_for, app, [book_payload(), book_payload()])

    details = assert_envelope(response, 503, code=9006)
    assert details == {"queued": 0, "not_queued": [0, 1]}
    assert response.headers["retry-after"] == "1"


async def test_when_sqs_cannot_be_reached_nothing_is_queued_and_the_answer_is_503(
    app_factory: AppFactory, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_sdk_at(f"http://127.0.0.1:{closed_port()}", monkeypatch)
    app = app_factory(books_import_queue_url="http://127.0.0.1:1/000000000000/books-import")

    response = await post_import(client_for, app, [book_payload() for _ in range(12)])

    details = assert_envelope(response, 503, code=9006)
    assert details == {"queued": 0, "not_queued": list(range(12))}
    aws.forget_clients()


def sqs_answering(
    answer: Callable[[int, dict[str, Any]], tuple[int, object]],
) -> Callable[[RecordedRequest], tuple[int, object]]:
    """A stand-in SQS (JSON protocol) for what moto never does: refuse some entries of a batch,
    fail part-way through. `answer(n, request)` answers the n-th SendMessageBatch (from 0)."""
    calls = iter(range(1_000))

    def respond(recorded: RecordedRequest) -> tuple[int, object]:
        assert recorded.headers["x-amz-target"] == "AmazonSQS.SendMessageBatch"
        return answer(next(calls), json.loads(recorded.body))

    return respond


def taken(entries: list[dict[str, Any]], refused: Collection[str] = ()) -> dict[str, Any]:
    ok = [
        {"Id": e["Id"], "MessageId": str(uuid.uuid4()), "MD5OfMessageBody": "-"}
        for e in entries
        if e["Id"] not in refused
    ]
    failed = [
        {"Id": e["Id"], "SenderFault": False, "Code": "InternalError", "Message": "try again"}
        for e in entries
        if e["Id"] in refused
    ]
    return {"Successful": ok, "Failed": failed}


async def import_through(
    stub: HttpStub,
    app_factory: AppFactory,
    client_for: ClientFor,
    monkeypatch: pytest.MonkeyPatch,
    count: int,
) -> httpx.Response:
    point_sdk_at(f"http://127.0.0.1:{stub.port}", monkeypatch)
    app = app_factory(
        books_import_queue_url=f"http://127.0.0.1:{stub.port}/000000000000/books-import"
    )
    try:
        return await post_import(client_for, app, [book_payload() for _ in range(count)])
    finally:
        aws.forget_clients()


async def test_entries_refused_once_are_sent_again(
    app_factory: AppFactory, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first batch's entry 3 is refused, then taken when sent again.
    def answer(call: int, request: dict[str, Any]) -> tuple[int, object]:
        return 200, taken(request["Entries"], {"3"} if call == 0 else set())

    with http_stub(sqs_answering(answer)) as stub:
        response = await import_through(stub, app_factory, client_for, monkeypatch, 12)

    assert assert_envelope(response, 202) == {"queued": 12}
    sent = [
        [entry["Id"] for entry in json.loads(request.body)["Entries"]] for request in stub.requests
    ]
    assert sent == [[str(n) for n in range(10)], ["3"], ["10", "11"]]


async def test_entries_refused_twice_are_named_in_the_503(
    app_factory: AppFactory, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def answer(call: int, request: dict[str, Any]) -> tuple[int, object]:
        return 200, taken(request["Entries"], {"3", "11"})

    with http_stub(sqs_answering(answer)) as stub:
        response = await import_through(stub, app_factory, client_for, monkeypatch, 12)

    details = assert_envelope(response, 503, code=9006)
    assert details == {"queued": 10, "not_queued": [3, 11]}


async def test_sqs_failing_part_way_names_every_book_not_queued(
    app_factory: AppFactory, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first batch of ten is taken; then SQS answers 500 to everything (the SDK retries once).
    def answer(call: int, request: dict[str, Any]) -> tuple[int, object]:
        if call == 0:
            return 200, taken(request["Entries"])
        return 500, {"__type": "InternalError", "message": "down"}

    with http_stub(sqs_answering(answer)) as stub:
        response = await import_through(stub, app_factory, client_for, monkeypatch, 25)

    details = assert_envelope(response, 503, code=9006)
    assert details == {"queued": 10, "not_queued": list(range(10, 25))}
    # The SDK retried the second batch; the third was never sent.
    sent = {
        entry["Id"] for request in stub.requests for entry in json.loads(request.body)["Entries"]
    }
    assert sent == {str(n) for n in range(20)}


async def test_importing_needs_the_books_write_scope(
    app_factory: AppFactory,
    client_for: ClientFor,
    auth_overrides: dict[str, Any],
    issuer: TokenIssuer,
    queue_url: str,
) -> None:
    app = app_factory(books_import_queue_url=queue_url, **auth_overrides)
    async with client_for(app) as client:
        body = {"books": [book_payload()]}
        reader = {"Authorization": f"Bearer {issuer.token(scope='books:read')}"}
        writer = {"Authorization": f"Bearer {issuer.token(scope='books:write')}"}
        refused = await client.post(IMPORTS, json=body, headers=reader)
        accepted = await client.post(IMPORTS, json=body, headers=writer)

    assert_envelope(refused, 403, code=8013)
    assert 'scope="books:write"' in refused.headers["www-authenticate"]
    assert assert_envelope(accepted, 202) == {"queued": 1}


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
async def test_imports_is_a_path_of_its_own_that_takes_only_post(
    client: httpx.AsyncClient, method: str
) -> None:
    # Not taken for a book id: another method is a 405, not a 422 about "imports".
    response = await client.request(method, IMPORTS, json={"books": []})

    assert_envelope(response, 405, code=8003)
    assert response.headers["allow"] == "POST"
