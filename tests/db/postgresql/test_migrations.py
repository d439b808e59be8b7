"""Alembic migrations build an empty database to head, and the models never drift from them."""

import asyncio
import json
import secrets
import sys
from collections.abc import AsyncIterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, MetaData, String, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.settings import Settings
from app.db.postgresql import connection
from app.db.postgresql.base import Base
from app.db.postgresql.connection import build_engine, database_url
from app.db.postgresql.migrate import alembic_config, upgrade_to_head
from app.domains import domain_modules
from tests.conftest import SettingsFactory

domain_modules("models")  # every registered domain's tables, as Alembic's env.py sees them


@pytest.fixture
async def app_engine(settings_factory: SettingsFactory) -> AsyncEngine:
    """The app's engine on the suite's loop."""
    return connection.shared.get(settings_factory()).engine


def revisions_in_order(settings: Settings) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(settings))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


async def drift(engine: AsyncEngine, metadata: MetaData) -> list[object]:
    """What autogenerate would add to a migration to make the database match `metadata`."""

    def compare(connection: Connection) -> list[object]:
        options = {"compare_type": True, "compare_server_default": True}
        context = MigrationContext.configure(connection, opts=options)
        return list(compare_metadata(context, metadata))

    async with engine.connect() as connection:
        return await connection.run_sync(compare)


@pytest.fixture
async def empty_database(settings_factory: SettingsFactory) -> AsyncIterator[Settings]:
    """Settings naming a new, empty database on the test server; dropped afterwards."""
    name = f"migrations_{secrets.token_hex(4)}"
    server = build_engine(settings_factory()).execution_options(isolation_level="AUTOCOMMIT")
    async with server.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(database_url(settings_factory())).set(database=name)
    yield settings_factory(postgresql_url=url.render_as_string(hide_password=False))
    async with server.connect() as connection:
        await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    await server.dispose()


async def test_empty_database_upgrades_to_head_without_drift(
    empty_database: Settings,
) -> None:
    first = await asyncio.to_thread(upgrade_to_head, empty_database)
    again = await asyncio.to_thread(upgrade_to_head, empty_database)

    revisions = revisions_in_order(empty_database)
    assert first == {"head": revisions[-1], "applied": revisions}
    assert again == {"head": revisions[-1], "applied": []}
    engine = build_engine(empty_database)
    try:
        assert await drift(engine, Base.metadata) == []
    finally:
        await engine.dispose()


async def test_command_line_migrates_the_configured_database(
    empty_database: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `make migrate`, `make run` and the Lambda bundle's job all come down to this module
    assert empty_database.postgresql_url is not None
    monkeypatch.setenv("POSTGRESQL_URL", empty_database.postgresql_url.get_secret_value())

    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app.db.postgresql.migrate", stdout=asyncio.subprocess.PIPE
    )
    output, _ = await migrate.communicate()

    assert migrate.returncode == 0
    revisions = revisions_in_order(empty_database)
    assert json.loads(output) == {"head": revisions[-1], "applied": revisions}


async def test_downgrade_to_base_removes_everything(empty_database: Settings) -> None:
    config = alembic_config(empty_database)
    await asyncio.to_thread(upgrade_to_head, empty_database)

    await asyncio.to_thread(command.downgrade, config, "base")

    engine = build_engine(empty_database)
    try:
        async with engine.connect() as connection:
            books = await connection.scalar(text("SELECT to_regclass('public.books')"))
        assert books is None
        assert len(await drift(engine, Base.metadata)) > 0
    finally:
        await engine.dispose()


async def test_suite_database_matches_the_models(app_engine: AsyncEngine) -> None:
    assert await drift(app_engine, Base.metadata) == []


async def test_drift_check_notices_a_model_change(app_engine: AsyncEngine) -> None:
    # Given models with one more column than the migrations create
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["public.books"].append_column(Column("subtitle", String(255)))

    differences = await drift(app_engine, changed)

    assert differences == [("add_column", None, "books", changed.tables["public.books"].c.subtitle)]
