"""The process's async engine and its sessions, created on first use, never at import.

Built from the app's settings on first use and kept by a Lambda sandbox between invocations
(`LazyClient`). Services open `read_session` for reads and `transaction` for writes.
SQLAlchemy imports the psycopg driver only when the engine is built.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import event, make_url, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.core.secrets import StoreSecret, store_secret, store_url
from app.core.settings import Settings
from app.core.stores import StoreUnavailableError
from app.db.deadline import Deadline
from app.db.lazy_client import LazyClient
from app.db.postgresql.login import SecretLogin
from app.db.postgresql.spans import trace_statements
from app.db.spans import calls_to


class PostgreSQLNotConfiguredError(StoreUnavailableError):
    """Neither POSTGRESQL_URL nor POSTGRESQL_URL_SECRET_ID is set: a deployment without this store
    answers its 503 on the routes that need it (and logs this message)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "postgresql")


def database_url(settings: Settings) -> str:
    """The configured URL with the psycopg 3 driver, whatever driver the URL named."""
    url = store_url(settings, "postgresql")
    if url is None:
        raise PostgreSQLNotConfiguredError("set POSTGRESQL_URL or POSTGRESQL_URL_SECRET_ID")
    return make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


@dataclass(frozen=True, slots=True)
class EngineOptions:
    url: str
    pool_size: int
    max_overflow: int
    pool_recycle: int
    pool_timeout: float
    connect_timeout: int
    statement_timeout_ms: int
    application_name: str
    # When a secret holds the URL: new connections log in with what it holds now.
    secret: StoreSecret | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "EngineOptions":
        # One request at a time per Lambda sandbox: a bigger pool only holds idle connections
        # that count against the database's max_connections while the sandbox is frozen.
        pool_size, max_overflow = (
            (1, 0)
            if settings.is_lambda
            else (settings.postgresql_pool_size, settings.postgresql_max_overflow)
        )
        return cls(
            url=database_url(settings),
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_recycle=settings.postgresql_pool_recycle_seconds,
            pool_timeout=settings.postgresql_pool_timeout_seconds,
            connect_timeout=settings.postgresql_connect_timeout_seconds,
            statement_timeout_ms=settings.postgresql_statement_timeout_ms,
            application_name=f"{settings.service_name}-{settings.environment}",
            secret=store_secret(settings, "postgresql"),
        )


def _create_engine(options: EngineOptions) -> AsyncEngine:
    # Nothing here may outlive a transaction on the server, because transaction poolers
    # (PgBouncer in transaction mode, RDS Proxy) hand each transaction to any server
    # connection: no server-side prepared statements (psycopg prepares a statement run 5
    # times; another server connection then lacks it), and no session settings (the startup
    # `options` parameter is refused by PgBouncer). The statement timeout is therefore
    # enforced by the client (`_bounded`), and timestamps are converted to UTC by the API.
    connect_args: dict[str, object] = {
        "connect_timeout": options.connect_timeout,
        "application_name": options.application_name,
        "prepare_threshold": None,
    }
    engine = create_async_engine(
        options.url,
        pool_size=options.pool_size,
        max_overflow=options.max_overflow,
        pool_pre_ping=True,  # sockets go stale while a sandbox is frozen
        pool_recycle=options.pool_recycle,
        pool_timeout=options.pool_timeout,
        connect_args=connect_args,
    )
    if options.secret is not None:
        event.listen(engine.sync_engine, "do_connect", SecretLogin(options.secret, connect_args))
    return engine


def build_engine(settings: Settings) -> AsyncEngine:
    """A new engine of its own (migrations); requests use the shared one through the sessions."""
    return _create_engine(EngineOptions.from_settings(settings))


@dataclass(frozen=True, slots=True)
class Sessions:
    engine: AsyncEngine
    transactional: async_sessionmaker[AsyncSession]
    read_only: async_sessionmaker[AsyncSession]
    timeout_seconds: float | None  # the bound on each read and each transaction


def _connect(options: EngineOptions) -> Sessions:
    engine = _create_engine(options)
    trace_statements(engine)
    # Reads run in autocommit, on the same pool: a lone SELECT then costs no BEGIN and no
    # ROLLBACK round trip (docs/performance.md). Under READ COMMITTED every statement takes
    # its own snapshot anyway, so reads see the same data.
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    return Sessions(
        engine,
        # Loaded rows stay readable after commit, so services can return what they wrote.
        async_sessionmaker(engine, expire_on_commit=False),
        async_sessionmaker(autocommit, expire_on_commit=False),
        options.statement_timeout_ms / 1000 or None,
    )


async def _dispose(sessions: Sessions) -> None:
    await sessions.engine.dispose()


# Disposing closes the pool's connections and leaves the engine usable with a new, empty
# pool, its dialect (set up by the first connection's round trips) and compiled statements.
shared = LazyClient(EngineOptions.from_settings, _connect, _dispose, disconnect=_dispose)


@asynccontextmanager
async def read_session(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session for reads only, in autocommit: every statement commits on its own."""
    with calls_to("postgresql"):
        sessions = shared.get(settings)
        async with _bounded(sessions), sessions.read_only() as session:
            yield session


@asynccontextmanager
async def transaction(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session in one transaction, committed when the block ends, rolled back if it raises."""
    with calls_to("postgresql"):
        sessions = shared.get(settings)
        async with _bounded(sessions), sessions.transactional() as session:
            yield session
            await session.commit()


def _query_cancel_lead(seconds: float) -> float:
    """How long before the bound a block is first cancelled, so that psycopg can cancel the
    query on a healthy server (one round trip) before the bound closes the connection."""
    return min(seconds / 4, 0.25)


def _bounded(sessions: Sessions) -> Deadline:
    """POSTGRESQL_STATEMENT_TIMEOUT_MS on the whole block (checkout, pre-ping, connect, queries,
    commit), enforced here rather than by the server, whatever pooler is in between, and even
    when the server is stalled (`Deadline`). Past it the block fails as PostgreSQL's 503."""
    seconds = sessions.timeout_seconds
    return Deadline(seconds, lead=_query_cancel_lead(seconds or 0), store="postgresql")


async def ping(settings: Settings) -> None:
    with calls_to("postgresql"):
        async with shared.get(settings).engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
