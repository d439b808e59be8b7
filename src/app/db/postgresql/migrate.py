"""Upgrades PostgreSQL to the newest migration shipped in this package.

One entry point for `make migrate`, `make run` and the Lambda job `{"action": "migrate"}`:
the Alembic config is built in code, so the deployed package needs no alembic.ini.
Run it as `python -m app.db.postgresql.migrate`.
"""

import json
from pathlib import Path
from typing import TypedDict

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from app.core.settings import Settings, get_settings

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class MigrationSummary(TypedDict):
    head: str | None
    applied: list[str]


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["settings"] = settings
    return config


def upgrade_to_head(settings: Settings | None = None) -> MigrationSummary:
    """Apply every pending migration; returns the head and the revisions applied now.

    Synchronous: migrations run on their own event loop and engine, so call it from
    synchronous code (CLI, Lambda handler) or through `asyncio.to_thread`.
    """
    config = alembic_config(settings or get_settings())
    command.upgrade(config, "head")
    head = ScriptDirectory.from_config(config).get_current_head()
    return {"head": head, "applied": list(config.attributes.get("applied", []))}


if __name__ == "__main__":
    print(json.dumps(upgrade_to_head()))
