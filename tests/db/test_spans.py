"""Store calls as OpenTelemetry spans, recorded by the SDK's in-memory exporter: one span per
call, a child of FastAPI's request span, named and attributed by the conventions, never with
the data; a failure (a closed port, a server that does not answer) recorded on it."""

import uuid
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from pymongo.errors import OperationFailure

from app.core.settings import Settings
from app.db.mongo.connection import reading
from app.domains.reviews.models import ReviewDocument
from tests.conftest import AppFactory, app_client
from tests.domains.books.factories import book_payload
from tests.domains.reviews.factories import review_payload

BOOK = f"/v1/books/{uuid.uuid4()}"


def _calls(spans: InMemorySpanExporter, request: str) -> list[ReadableSpan]:
    """The store calls of the request whose span is named `request`, in order; each is a
    client span and a child of it."""
    finished = spans.get_finished_spans()
    (server,) = [span for span in finished if span.kind is SpanKind.SERVER]
    assert server.name == request
    calls = [span for span in finished if span.kind is SpanKind.CLIENT]
    for call in calls:
        assert call.parent is not None
        assert call.parent.span_id == server.context.span_id
        assert call.context.trace_id == server.context.trace_id
    return calls


def _store_calls(spans: InMemorySpanExporter, request: str, system: str) -> list[ReadableSpan]:
    return [
        call for call in _calls(spans, request) if (call.attributes or {})["db.system"] == system
    ]


def _names(calls: Sequence[ReadableSpan]) -> list[str]:
    return [call.name for call in calls]


def _values(calls: Sequence[ReadableSpan]) -> str:
    """Every attribute value of every call, for looking for what must not be there."""
    return repr([dict(call.attributes or {}) for call in calls])


async def _created_book(app: FastAPI, spans: InMemorySpanExporter, **fields: Any) -> str:
    async with app_client(app) as client:
        created = await client.post("/v1/books", json=book_payload(**fields))
    assert created.status_code == 201
    spans.clear()
    return str(created.headers["location"])


async def test_a_cached_read_is_three_calls_under_the_request(
    app_factory: AppFactory, redis_overrides: dict[str, Any], spans: InMemorySpanExporter
) -> None:
    app = app_factory(**redis_overrides)
    book = await _created_book(app, spans, title="Secret title")
    async with app_client(app) as client:
        assert (await client.get(book)).status_code == 200

    calls = _calls(spans, "GET /v1/books/{book_id}")
    assert _names(calls) == ["GET", "SELECT books", "EVAL"]
    cache_read, select, cache_fill = (dict(call.attributes or {}) for call in calls)
    assert select["db.system"] == "postgresql"
    assert (select["db.operation"], select["db.sql.table"]) == ("SELECT", "books")
    assert {"db.name", "server.address", "server.port"} <= select.keys()
    assert (cache_read["db.system"], cache_read["db.operation"]) == ("redis", "GET")
    assert cache_fill["db.operation"] == "EVAL"
    assert isinstance(cache_read["db.redis.database_index"], int)
    # No statement parameter, key or value: not the id, not the title.
    assert book.rsplit("/", 1)[1] not in _values(calls)
    assert "Secret title" not in _values(calls)
    assert all(call.status.status_code is StatusCode.UNSET for call in calls)


async def test_a_review_is_a_postgresql_and_a_mongodb_call(
    app_factory: AppFactory, spans: InMemorySpanExporter
) -> None:
    app = app_factory()
    book = await _created_book(app, spans)
    async with app_client(app) as client:
        posted = await client.post(f"{book}/reviews", json=review_payload(body="Private words"))
    assert posted.status_code == 201

    calls = _calls(spans, "POST /v1/books/{book_id}/reviews")
    mongo = _store_calls(spans, "POST /v1/books/{book_id}/reviews", "mongodb")
    assert _names(calls)[0] == "SELECT books"  # the book exists (BookService.ensure_exists)
    assert "insert reviews" in _names(mongo)
    insert = dict(next(call for call in mongo if call.name == "insert reviews").attributes or {})
    assert (insert["db.operation"], insert["db.mongodb.collection"]) == ("insert", "reviews")
    assert "Private words" not in _values(calls)


async def test_a_failed_statement_is_recorded_on_its_span(
    app_factory: AppFactory, spans: InMemorySpanExporter
) -> None:
    app = app_factory()
    payload = book_payload()
    async with app_client(app) as client:
        await client.post("/v1/books", json=payload)
        spans.clear()
        duplicate = await client.post("/v1/books", json={**payload, "title": "Again"})
    assert duplicate.status_code == 409

    (insert,) = _calls(spans, "POST /v1/books")
    assert insert.name == "INSERT books"
    assert insert.status.status_code is StatusCode.ERROR
    assert (insert.attributes or {})["error.type"] == "UniqueViolation"
    assert [event.name for event in insert.events] == ["exception"]
    assert payload["isbn"] not in _values([insert]) + repr(insert.status.description)


async def test_a_closed_postgresql_port_is_one_failed_call(
    app_factory: AppFactory, closed_port_postgresql_url: str, spans: InMemorySpanExporter
) -> None:
    app = app_factory(postgresql_url=closed_port_postgresql_url)
    async with app_client(app) as client:
        assert (await client.get(BOOK)).status_code == 503

    (call,) = _store_calls(spans, "GET /v1/books/{book_id}", "postgresql")
    assert call.name == "postgresql"
    assert call.status.status_code is StatusCode.ERROR
    assert (call.attributes or {})["error.type"] == "OperationalError"


async def test_a_closed_mongodb_port_is_one_failed_call(
    app_factory: AppFactory, dead_mongo_url: str, spans: InMemorySpanExporter
) -> None:
    app = app_factory(mongo_url=dead_mongo_url, mongo_timeout_ms=300)
    async with app_client(app) as client:
        answer = await client.get("/v1/reviews/6b1f3f52-2c1d-4f4e-9a59-0b3d5e1a7c01")
    assert answer.status_code == 503

    (call,) = _store_calls(spans, "GET /v1/reviews/{review_id}", "mongodb")
    assert call.name == "mongodb"
    assert call.status.status_code is StatusCode.ERROR
    assert (call.attributes or {})["db.system"] == "mongodb"


async def test_redis_down_or_silent_fails_its_call_and_the_read_goes_on(
    app_factory: AppFactory,
    closed_port_redis_url: str,
    silent_server_url: str,
    spans: InMemorySpanExporter,
) -> None:
    failures = ((closed_port_redis_url, "ConnectionError"), (silent_server_url, "TimeoutError"))
    for url, error in failures:
        app = app_factory(redis_url=url, redis_socket_timeout_seconds=0.2)
        async with app_client(app) as client:
            answer = await client.get(BOOK)
        assert answer.status_code == 404  # the cache fails open to PostgreSQL

        cache_read, select = _calls(spans, "GET /v1/books/{book_id}")
        assert (cache_read.name, select.name) == ("GET", "SELECT books")
        assert cache_read.status.status_code is StatusCode.ERROR
        assert (cache_read.attributes or {})["error.type"] == error
        spans.clear()


async def test_the_readiness_checks_are_calls_too(
    app_factory: AppFactory, spans: InMemorySpanExporter
) -> None:
    app = app_factory()
    async with app_client(app) as client:
        ready: httpx.Response = await client.get("/health/ready")
    assert ready.status_code == 200
    calls = _calls(spans, "GET /health/ready")
    assert {(call.attributes or {})["db.system"] for call in calls} == {
        "postgresql",
        "mongodb",
        "redis",
    }


async def test_a_command_mongodb_refuses_is_recorded_on_its_span(
    mongo_settings: Settings, spans: InMemorySpanExporter
) -> None:
    with pytest.raises(OperationFailure):
        async with reading(mongo_settings, ReviewDocument) as reviews:
            await reviews.database.command("noSuchCommand")
    (call,) = [span for span in spans.get_finished_spans() if span.name == "noSuchCommand"]
    assert call.status.status_code is StatusCode.ERROR
    assert (call.attributes or {})["db.system"] == "mongodb"
    assert (call.attributes or {})["error.type"]
