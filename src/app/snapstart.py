"""Lambda SnapStart: a snap-start init builds what the first request would build, and the
runtime hooks make the snapshot safe to restore into many sandboxes (docs/snapstart.md).

Imported only by a snap-start init: on-demand init stays lazy and never loads this module.
"""

import asyncio
import random
import sys
import time
from collections.abc import Coroutine
from typing import Any

from fastapi import FastAPI
from loguru import logger
from snapshot_restore_py import register_after_restore, register_before_snapshot
from sqlalchemy.orm import configure_mappers

from app.api.routers import build_route_validators
from app.core import aws
from app.core.cold_start import load_on_first_use
from app.core.sandbox import restored
from app.core.secrets import forget_secrets, import_secret_reader
from app.core.settings import Settings
from app.db import CONNECTION_MODULES, disconnect_clients
from app.db.health import snapshot_checks
from app.domains import domain_modules
from app.http.readiness import ReadinessProbe


def prepare_snapshot(app: FastAPI, settings: Settings) -> None:
    """Build everything a request needs, register the runtime hooks. A store that cannot be
    reached now is logged and connects on first use, as on demand: it never fails the init."""
    started = time.perf_counter()
    # The services, and with them the ORM models and each repository's prebuilt statements.
    domain_modules("services")
    configure_mappers()
    if settings.auth_enabled:
        load_on_first_use("app.http.auth.tokens")  # PyJWT, cryptography
    # Each configured store's driver, and with a plain URL its client and first connection
    # (SQLAlchemy sets up its dialect then); the before-snapshot hook closes the connections.
    # URL secrets are read after the restore, with the sandbox's own credentials: only the
    # SDK that reads them is imported now.
    import_secret_reader(settings)
    aws.import_sdk("sqs")  # for the first send to a queue; no client or credentials yet
    probe = ReadinessProbe(snapshot_checks(settings), settings.readiness_timeout_seconds)
    report = _run(probe.run())
    build_route_validators(app)
    if settings.docs_enabled:
        app.openapi()
    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
    failed = [f"{check.name} ({check.error})" for check in report.checks if not check.ok]
    if failed:
        logger.warning("SnapStart: not reachable before the snapshot: {}", ", ".join(failed))
    elapsed_ms = (time.perf_counter() - started) * 1000
    logger.info("SnapStart: ready for the snapshot in {:.0f} ms", elapsed_ms)


def before_snapshot() -> None:
    """No connection goes into the snapshot: every sandbox restored from it would share it."""
    _run(disconnect_clients())


def after_restore() -> None:
    """What must differ per sandbox, or may have changed while the snapshot was kept."""
    # The next request is this sandbox's first: its line marks a restore, not a cold start.
    restored()
    # The module's generator (sampling, server selection in drivers) was seeded at import:
    # every sandbox would draw the same numbers.
    random.seed()
    mongo = sys.modules.get(CONNECTION_MODULES["mongo"])
    if mongo is not None:
        mongo.reseed_object_ids()
    forget_secrets()
    aws.forget_clients()
    tokens = sys.modules.get("app.http.auth.tokens")
    if tokens is not None:
        tokens.forget()
    # Nothing is connected after a restore; each client checks its options again on first use.
    _run(disconnect_clients())


def _run[T](work: Coroutine[Any, Any, T]) -> T:
    # On the sandbox's loop (Mangum set it for this thread), which the store clients bind to.
    return asyncio.get_event_loop().run_until_complete(work)
