"""Fault injection under load: each store is stalled and killed while the app serves traffic.

The app runs under uvicorn on loopback against stores of its own (a persistent devstack, so a
killed server restarts on its data, with its durability settings on). Six clients send a
small, bounded load (each waits 20 ms between requests). For each store, while the load runs:
pause it (SIGSTOP to the server and its children: connections are accepted and never
answered), resume it, kill it (SIGKILL, as a crash), restart it. Then:

- every answer is a 2xx or that store's 503 with its code and `Retry-After`, never a 500;
- no request takes longer than the store's bound (plus slack for a loaded 2-core machine);
- the faults bit (requests failed meanwhile), and the errors stop soon after the store is back;
- every write acknowledged with 201 is still there after the crash.

Redis is different by design: a stalled Redis opens the circuit breaker, so reads go on at
full speed (the cache and the rate limit are skipped) and only `Idempotency-Key` creations
fail, closed, with 503/9003.
"""

import asyncio
import logging
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
import psycopg
import pymongo
import pytest
from sqlalchemy import make_url

from app.core.settings import testing
from app.db.postgresql.migrate import upgrade_to_head
from scripts.devstack import DevStack
from tests.domains.books.factories import book_payload
from tests.domains.reviews.factories import review_payload
from tests.support.uvicorn_server import uvicorn_serving

BOUND = 1.0  # POSTGRESQL_STATEMENT_TIMEOUT_MS and MONGO_TIMEOUT_MS, in seconds
REDIS_TIMEOUT = 0.25  # REDIS_SOCKET_TIMEOUT_SECONDS and REDIS_CONNECT_TIMEOUT_SECONDS
BREAKER_COOLDOWN = 1.0
SLACK = 1.0  # scheduling noise on a loaded machine
RECOVERY = 1.5  # the errors stop this soon after the store is back
WORKERS = 6
PAUSE_BETWEEN_REQUESTS = 0.02

Request = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


@pytest.fixture(autouse=True)
def _quiet_http_client(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="httpx")  # thousands of request lines otherwise


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    with DevStack(
        tmp_path_factory.mktemp("faults"), only={"postgresql", "mongodb", "redis"}
    ) as stack:
        yield stack


@pytest.fixture(scope="module")
def base_url(stack: DevStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    upgrade_to_head(testing.TestingSettings(postgresql_url=stack.urls["POSTGRESQL_URL"]))
    env = {
        **stack.urls,
        "ENVIRONMENT": "testing",
        "LOG_LEVEL": "WARNING",
        "POSTGRESQL_STATEMENT_TIMEOUT_MS": str(int(BOUND * 1000)),
        "MONGO_TIMEOUT_MS": str(int(BOUND * 1000)),
        "REDIS_SOCKET_TIMEOUT_SECONDS": str(REDIS_TIMEOUT),
        "REDIS_CONNECT_TIMEOUT_SECONDS": str(REDIS_TIMEOUT),
        "REDIS_BREAKER_COOLDOWN_SECONDS": str(BREAKER_COOLDOWN),
        "RATE_LIMIT_REQUESTS": "1000000",  # on, so that every request asks Redis
    }
    log = tmp_path_factory.mktemp("faults-app") / "uvicorn.log"
    with uvicorn_serving(["app.main:app", "--no-access-log"], env, log=log) as url:
        yield url


@dataclass(frozen=True, slots=True)
class Answer:
    kind: str
    started: float  # time.monotonic()
    seconds: float
    status: int  # 0: no HTTP answer at all
    code: int | None
    retry_after: str | None
    created: str | None  # the id of what a 201 created

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def ended(self) -> float:
        return self.started + self.seconds


async def _ask(client: httpx.AsyncClient, kind: str, request: Request) -> Answer:
    started = time.monotonic()
    try:
        response = await request(client)
    except httpx.TransportError:
        return Answer(kind, started, time.monotonic() - started, 0, None, None, None)
    seconds = time.monotonic() - started
    data: dict[str, Any] = response.json()["data"] or {}
    code = data["internal_error"]["code"] if response.status_code >= 400 else None
    created = data["id"] if response.status_code == 201 else None
    retry_after = response.headers.get("retry-after")
    return Answer(kind, started, seconds, response.status_code, code, retry_after, created)


@asynccontextmanager
async def load(base_url: str, requests: Mapping[str, Request]) -> AsyncIterator[list[Answer]]:
    """WORKERS clients, each sending the requests in turn until the block ends."""
    answers: list[Answer] = []
    running = True

    async def client_loop(offset: int) -> None:
        kinds = list(requests.items())
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            for turn in range(offset, 10**9):
                if not running:
                    return
                kind, request = kinds[turn % len(kinds)]
                answers.append(await _ask(client, kind, request))
                await asyncio.sleep(PAUSE_BETWEEN_REQUESTS)

    clients = [asyncio.create_task(client_loop(n)) for n in range(WORKERS)]
    try:
        yield answers
    finally:
        running = False
        await asyncio.gather(*clients)


# (fault, the store is back from, the next fault): "resuming" and "restarting" are marked just
# before the store is let back, so no request may succeed between a fault and its mark.
WINDOWS = (("paused", "resuming", "killed"), ("killed", "restarting", "end"))


async def pause_then_crash(stack: DevStack, store: str) -> dict[str, float]:
    """Run the faults on `store` while the load runs; return when each began and ended."""
    marks: dict[str, float] = {}
    await asyncio.sleep(1.0)
    marks["paused"] = time.monotonic()
    stack.pause(store)
    await asyncio.sleep(3.0)
    marks["resuming"] = time.monotonic()
    stack.resume(store)
    await asyncio.sleep(2.0)
    marks["killed"] = time.monotonic()
    await asyncio.to_thread(stack.kill, store)
    await asyncio.sleep(1.0)
    marks["restarting"] = time.monotonic()
    await asyncio.to_thread(stack.restart, store)  # returns once the store answers
    marks["restarted"] = time.monotonic()
    await asyncio.sleep(2.5)
    marks["end"] = time.monotonic()
    return marks


def between(answers: list[Answer], start: float, end: float) -> list[Answer]:
    return [answer for answer in answers if start <= answer.started < end]


def assert_outage_handled(answers: list[Answer], marks: dict[str, float], code: int) -> None:
    """The contract of an outage of a store the requests need."""
    unexpected = {(a.status, a.code) for a in answers if not a.ok} - {(503, code)}
    assert not unexpected, f"answers other than 2xx and 503/{code}: {unexpected}"
    assert all(a.retry_after == "1" for a in answers if not a.ok)
    slowest = max(answers, key=lambda answer: answer.seconds)
    assert slowest.seconds < BOUND + SLACK, slowest
    for fault, back, after in WINDOWS:
        assert not all(a.ok for a in between(answers, marks[fault], marks[back])), fault
        settled = between(answers, _recovered_from(marks, back) + RECOVERY, marks[after])
        # (a request still running when the next fault began may fail of that one)
        late = [a for a in settled if not a.ok and a.ended < marks[after]]
        assert not late, f"still failing {RECOVERY} s after {back}: {late[:3]}"
        assert any(a.ok for a in settled)


def _recovered_from(marks: dict[str, float], back: str) -> float:
    """When the store answers again: at once after a resume, after a restart once it is up."""
    return marks["restarted" if back == "restarting" else back]


def recovery_seconds(answers: list[Answer], marks: dict[str, float], back: str) -> float:
    """How long after the store answers again the last request failing of this fault started."""
    after = {"resuming": "killed", "restarting": "end"}[back]
    since = _recovered_from(marks, back)
    failed = [
        a.started
        for a in between(answers, since, marks[after])
        if not a.ok and a.ended < marks[after]
    ]
    return max(failed, default=since) - since


def report(store: str, answers: list[Answer], marks: dict[str, float]) -> None:
    seconds = marks["end"] - answers[0].started
    print(
        f"\n{store}: {len(answers)} requests in {seconds:.1f} s ({len(answers) / seconds:.0f}/s), "
        f"{sum(not a.ok for a in answers)} failed, slowest {max(a.seconds for a in answers):.2f} s,"
        f" recovered {recovery_seconds(answers, marks, 'resuming'):.2f} s after resume and "
        f"{recovery_seconds(answers, marks, 'restarting'):.2f} s after restart"
    )


async def test_postgresql_stalled_then_crashed(stack: DevStack, base_url: str) -> None:
    requests: dict[str, Request] = {
        "create": lambda client: client.post("/v1/books", json=book_payload()),
        "list": lambda client: client.get("/v1/books", params={"limit": 5}),
    }
    async with load(base_url, requests) as answers:
        marks = await pause_then_crash(stack, "postgresql")
    report("postgresql", answers, marks)

    assert_outage_handled(answers, marks, code=9001)
    acknowledged = [UUID(a.created) for a in answers if a.created]
    url = make_url(stack.urls["POSTGRESQL_URL"]).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as db:
        query = "SELECT count(*) FROM books WHERE id = ANY(%s)"
        row = db.execute(query, (acknowledged,)).fetchone()
    assert row == (len(acknowledged),), "an acknowledged book was lost in the crash"


async def test_mongodb_stalled_then_crashed(stack: DevStack, base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        book = (await client.post("/v1/books", json=book_payload())).json()["data"]
    reviews = f"/v1/books/{book['id']}/reviews"
    requests: dict[str, Request] = {
        "create": lambda client: client.post(reviews, json=review_payload()),
        "list": lambda client: client.get(reviews, params={"limit": 5}),
    }
    async with load(base_url, requests) as answers:
        marks = await pause_then_crash(stack, "mongodb")
    report("mongodb", answers, marks)

    assert_outage_handled(answers, marks, code=9002)
    acknowledged = [UUID(a.created) for a in answers if a.created]
    mongo: pymongo.MongoClient[dict[str, Any]]
    with pymongo.MongoClient(stack.urls["MONGO_URL"], uuidRepresentation="standard") as mongo:
        stored = mongo.get_default_database()["reviews"].count_documents(
            {"_id": {"$in": acknowledged}}
        )
    assert stored == len(acknowledged), "an acknowledged review was lost in the crash"


async def test_redis_stalled_then_crashed(stack: DevStack, base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        book = (await client.post("/v1/books", json=book_payload())).json()["data"]
    requests: dict[str, Request] = {
        "read": lambda client: client.get(f"/v1/books/{book['id']}"),
        "keyed create": lambda client: client.post(
            "/v1/books", json=book_payload(), headers={"Idempotency-Key": str(uuid.uuid4())}
        ),
    }
    async with load(base_url, requests) as answers:
        marks = await pause_then_crash(stack, "redis")
    report("redis", answers, marks)

    reads = [a for a in answers if a.kind == "read"]
    keyed = [a for a in answers if a.kind == "keyed create"]
    # Reads never fail: the cache and the rate limit fail open
    assert {a.status for a in reads} == {200}
    # A keyed creation is created, or refused (closed) with Redis's 503
    assert {(a.status, a.code) for a in keyed} <= {(201, None), (503, 9003)}
    # One request waits for at most two Redis timeouts (the rate limit, then the cache or
    # the idempotency record) ...
    assert max(a.seconds for a in answers) < 2 * REDIS_TIMEOUT + SLACK
    # ... and once the breaker is open, none: reads are as fast as without Redis
    stalled = between(reads, marks["paused"] + 1.0, marks["resuming"])
    assert statistics.median(a.seconds for a in stalled) < REDIS_TIMEOUT / 2
    for fault, back, after in WINDOWS:
        during = between(keyed, marks[fault] + 2 * REDIS_TIMEOUT, marks[back])
        assert during, fault
        assert not [a for a in during if a.ended < marks[back] and a.ok]
        settled = _recovered_from(marks, back) + BREAKER_COOLDOWN + RECOVERY
        late = [a for a in between(keyed, settled, marks[after]) if a.ended < marks[after]]
        assert all(a.ok for a in late), back
