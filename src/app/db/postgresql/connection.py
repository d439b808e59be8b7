"""The process-wide async engine and session factory, created on first use, never at import.

Built from the process settings (`get_settings()`), like the app itself. A Lambda sandbox
keeps them between invocations; `dispose_engine()` closes them (tests, shutdown). SQLAlchemy
imports the psycopg driver only when the engine is built.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.core.secrets import store_url
from app.core.settings import Settings, get_settings

_engine: AsyncEngine | None = None
_session_factory: async_sessionmaker[AsyncSession] | None = None


class PostgreSQLNotConfiguredError(RuntimeError):
    """Neither POSTGRESQL_URL nor POSTGRESQL_URL_SECRET_ID is set."""


def database_url(settings: Settings) -> str:
    """The configured URL with the psycopg 3 driver, whatever driver the URL named."""
    url = store_url(settings, "postgresql")
    if url is None:
        raise PostgreSQLNotConfiguredError("set POSTGRESQL_URL or POSTGRESQL_URL_SECRET_ID")
    return make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def build_engine(settings: Settings) -> AsyncEngine:
    """A new engine with the Lambda-aware pool and hard timeouts; most callers want get_engine."""
    # One request at a time per Lambda sandbox: a bigger pool only holds idle connections
    # that count against the database's max_connections while the sandbox is frozen.
    pool_size, max_overflow = (
        (1, 0)
        if settings.is_lambda
        else (settings.postgresql_pool_size, settings.postgresql_max_overflow)
    )
    session_options = (
        f"-c statement_timeout={settings.postgresql_statement_timeout_ms} -c TimeZone=UTC"
    )
    return create_async_engine(
        database_url(settings),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,  # sockets go stale while a sandbox is frozen
        pool_recycle=settings.postgresql_pool_recycle_seconds,
        pool_timeout=settings.postgresql_pool_timeout_seconds,
        connect_args={
            "connect_timeout": settings.postgresql_connect_timeout_seconds,
            "options": session_options,
            "application_name": f"{settings.service_name}-{settings.environment}",
        },
    )


def get_engine() -> AsyncEngine:
    global _engine
    if _engine is None:
        _engine = build_engine(get_settings())
    return _engine


def get_session_factory() -> async_sessionmaker[AsyncSession]:
    global _session_factory
    if _session_factory is None:
        # Loaded rows stay readable after commit, so services can return what they wrote.
        _session_factory = async_sessionmaker(get_engine(), expire_on_commit=False)
    return _session_factory


async def dispose_engine() -> None:
    """Close every pooled connection and forget the engine; the next use builds a new one."""
    global _engine, _session_factory
    engine, _engine, _session_factory = _engine, None, None
    if engine is not None:
        await engine.dispose()


async def ping() -> None:
    async with get_engine().connect() as connection:
        await connection.execute(text("SELECT 1"))


async def _request_session() -> AsyncIterator[AsyncSession]:
    async with get_session_factory()() as session:
        yield session


# scope="function": the connection goes back to the pool before the response is sent.
SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
