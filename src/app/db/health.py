"""Readiness checks of the configured stores (each imports its driver only when it runs)."""

from collections.abc import Awaitable, Callable

from app.core.secrets import store_configured
from app.core.settings import Settings

StoreCheck = Callable[[], Awaitable[None]]


def store_readiness_checks(settings: Settings) -> dict[str, StoreCheck]:
    """One ping per configured store; a store with no URL is not part of readiness."""
    checks: dict[str, StoreCheck] = {}
    if store_configured(settings, "postgresql"):
        checks["postgresql"] = lambda: _ping_postgresql(settings)
    if store_configured(settings, "mongo"):
        checks["mongodb"] = lambda: _ping_mongodb(settings)
    if store_configured(settings, "redis"):
        checks["redis"] = lambda: _ping_redis(settings)
    return checks


async def _ping_mongodb(settings: Settings) -> None:
    from app.db.mongo.connection import ping

    await ping(settings)


async def _ping_redis(settings: Settings) -> None:
    from app.db.redis.connection import ping

    await ping(settings)


async def _ping_postgresql(settings: Settings) -> None:
    from app.db.postgresql.connection import ping

    await ping(settings)
