"""Alembic environment: migrates through the app's psycopg async driver, URL from the settings.

`app.db.postgresql.migrate` passes its settings in `config.attributes`; the `alembic` CLI
(alembic.ini at the repository root) falls back to the environment's settings. Every
registered domain's `models` module is imported, so autogenerate sees all of their tables.
"""

import asyncio
from collections.abc import Collection

from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo
from sqlalchemy import Connection

from app.core.settings import Settings, get_settings
from app.db.postgresql.base import Base
from app.db.postgresql.connection import build_engine, database_url
from app.domains import domain_modules

config = context.config
domain_modules("models")  # importing them registers every domain's tables on Base.metadata
settings: Settings = config.attributes.get("settings") or get_settings()
applied: list[str] = config.attributes.setdefault("applied", [])


def _record(
    ctx: MigrationContext, step: MigrationInfo, heads: Collection[object], run_args: object
) -> None:
    if step.is_upgrade and step.up_revision_id:
        applied.append(step.up_revision_id)


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        on_version_apply=_record,
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _migrate_online() -> None:
    # Not through read_session/transaction: DDL such as CREATE INDEX may rightly outlast the
    # statement timeout of requests.
    engine = build_engine(settings)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_migrate)
    finally:
        await engine.dispose()


if context.is_offline_mode():  # `alembic upgrade head --sql`: print the SQL for review
    context.configure(url=database_url(settings), target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_migrate_online())
