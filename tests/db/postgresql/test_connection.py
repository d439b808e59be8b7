"""The engine's configuration, proven on the real server: session options, pool and timeouts.

Each failure a dead or slow database can cause must come out as the mapped 503 (9001).
"""

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.settings import Settings
from app.core.stores import StoreUnavailableError
from app.db.postgresql.connection import (
    PostgreSQLNotConfiguredError,
    build_engine,
    database_url,
    ping,
    read_session,
    transaction,
)
from app.http.errors.mapping import to_api_exception
from tests.conftest import SettingsFactory

EngineFactory = Callable[..., AsyncEngine]


@pytest.fixture
async def engine_factory(settings_factory: SettingsFactory) -> AsyncIterator[EngineFactory]:
    """Private engines (not the shared one) built by build_engine from overridden settings."""
    engines: list[AsyncEngine] = []

    def build(**overrides: Any) -> AsyncEngine:
        engines.append(build_engine(settings_factory(**overrides)))
        return engines[-1]

    yield build
    await asyncio.gather(*(engine.dispose() for engine in engines))


def assert_postgresql_unavailable(error: BaseException) -> None:
    api_error = to_api_exception(error)
    assert api_error is not None, repr(error)
    assert (api_error.status_code, api_error.code.code) == (503, 9001)


async def test_connections_carry_a_name_and_no_session_state(
    engine_factory: EngineFactory,
) -> None:
    engine = engine_factory(postgresql_statement_timeout_ms=1234)
    async with engine.connect() as connection:
        # A statement run often would be prepared on the server by psycopg's default.
        for _ in range(10):
            await connection.execute(text("SELECT 1"))
        prepared = await connection.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
        settings = await connection.execute(
            text("SELECT current_setting('statement_timeout'), current_setting('application_name')")
        )
    assert prepared == 0
    # No startup options (a transaction pooler refuses them): the server's own timeout holds.
    assert settings.one() == ("0", "app-testing")


async def test_the_shared_engine_answers(settings_factory: SettingsFactory) -> None:
    await ping(settings_factory())


async def _transaction_status(session: AsyncSession) -> TransactionStatus:
    await session.execute(text("SELECT 1"))
    raw = await (await session.connection()).get_raw_connection()
    assert raw.driver_connection is not None
    status: TransactionStatus = raw.driver_connection.info.transaction_status
    return status


async def _pid(session: AsyncSession) -> int:
    return int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)


async def test_reads_leave_no_transaction_open_and_writes_run_in_one(
    settings_factory: SettingsFactory,
) -> None:
    settings = settings_factory()
    # Read sessions autocommit: no BEGIN before and no ROLLBACK after a lone SELECT.
    async with read_session(settings) as session:
        assert await _transaction_status(session) == TransactionStatus.IDLE
        reader = await _pid(session)
    async with transaction(settings) as session:
        assert await _transaction_status(session) == TransactionStatus.INTRANS
        writer = await _pid(session)
    # Both share the one pool: the connection the read returned serves the write.
    assert reader == writer


async def _table_exists(settings: Settings, name: str) -> bool:
    async with read_session(settings) as session:
        return bool(await session.scalar(text(f"SELECT to_regclass('{name}') IS NOT NULL")))


async def test_a_transaction_commits_when_its_block_ends_and_rolls_back_when_it_raises(
    settings_factory: SettingsFactory,
) -> None:
    settings = settings_factory()
    table = f"probe_{secrets.token_hex(4)}"

    async def create_then_fail() -> None:
        async with transaction(settings) as session:
            await session.execute(text(f"CREATE TABLE {table} (n int)"))
            raise LookupError

    with pytest.raises(LookupError):
        await create_then_fail()
    assert not await _table_exists(settings, table)

    async with transaction(settings) as session:
        await session.execute(text(f"CREATE TABLE {table} (n int)"))
    assert await _table_exists(settings, table)
    async with transaction(settings) as session:
        await session.execute(text(f"DROP TABLE {table}"))


def test_any_postgresql_url_is_driven_by_psycopg(settings_factory: SettingsFactory) -> None:
    settings = settings_factory(postgresql_url="postgresql://u:p%40ss@db:5432/app")
    assert database_url(settings) == "postgresql+psycopg://u:p%40ss@db:5432/app"
    with pytest.raises(PostgreSQLNotConfiguredError):
        database_url(settings_factory(postgresql_url=None, postgresql_url_secret_id=None))


@pytest.mark.parametrize("session", [read_session, transaction])
async def test_statement_timeout_is_a_fast_503_and_cancels_the_query(
    settings_factory: SettingsFactory, session: Callable[[Settings], Any]
) -> None:
    settings = settings_factory(postgresql_statement_timeout_ms=200)
    marker = secrets.token_hex(4)
    started = time.perf_counter()
    with pytest.raises(StoreUnavailableError) as raised:
        async with session(settings) as slow:
            await slow.execute(text(f"SELECT pg_sleep(5) -- {marker}"))
    assert time.perf_counter() - started < 2
    assert_postgresql_unavailable(raised.value)
    # The client's deadline cancelled the query on the server, and the pool still serves.
    async with read_session(settings) as fresh:
        running = await fresh.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE query LIKE :marker"),
            {"marker": f"SELECT pg_sleep(5) -- {marker}"},
        )
    assert running == 0


async def test_an_error_inside_the_block_is_not_taken_for_the_timeout(
    settings_factory: SettingsFactory,
) -> None:
    with pytest.raises(TimeoutError, match="not ours"):
        async with read_session(settings_factory(postgresql_statement_timeout_ms=5000)):
            raise TimeoutError("not ours")


async def test_lambda_pool_holds_one_connection(
    engine_factory: EngineFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a Lambda sandbox: one connection, however large the configured pool
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "books")
    engine = engine_factory(postgresql_pool_size=5, postgresql_pool_timeout_seconds=0.2)
    async with engine.connect():
        # When a second connection is wanted while the first is checked out
        with pytest.raises(exc.TimeoutError) as raised:
            async with engine.connect():
                pass
    # Then waiting for the pool gives up quickly, as a 503
    assert_postgresql_unavailable(raised.value)


async def test_refused_connection_is_a_fast_503(
    engine_factory: EngineFactory, closed_port_postgresql_url: str
) -> None:
    engine = engine_factory(postgresql_url=closed_port_postgresql_url)
    with pytest.raises(exc.OperationalError) as raised:
        async with engine.connect():
            pass
    assert_postgresql_unavailable(raised.value)
