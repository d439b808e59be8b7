"""Readiness checks of the configured stores. A check is loaded, then timed: loading imports
the store's client module and its driver (hundreds of milliseconds in a cold sandbox), so that
import never counts against the store's timeout; the ping it returns is what gets timed."""

import importlib
from collections.abc import Awaitable, Callable
from typing import Protocol

from app.core.secrets import store_configured, store_secret
from app.core.settings import Settings
from app.core.stores import Store
from app.db import CONNECTION_MODULES

Ping = Callable[[], Awaitable[None]]
StoreCheck = Callable[[], Ping]

# Per store: its name in the readiness report and the driver modules its client imports on
# first use.
_STORES: tuple[tuple[Store, str, tuple[str, ...]], ...] = (
    ("postgresql", "postgresql", ("psycopg",)),
    ("mongo", "mongodb", ("pymongo",)),
    ("redis", "redis", ("redis.asyncio", "redis.asyncio.retry")),
)


class _Connection(Protocol):
    async def ping(self, settings: Settings) -> None: ...


def store_readiness_checks(settings: Settings) -> dict[str, StoreCheck]:
    """One check per configured store; a store with no URL is not part of readiness."""
    return _checks(settings, connects=lambda store: True)


def snapshot_checks(settings: Settings) -> dict[str, StoreCheck]:
    """What a SnapStart init runs before the snapshot: every configured store's driver and
    client module loaded, and a first connection to each store with a plain URL. A store whose
    URL is in a secret is only loaded: reading the secret would put the SDK's client and
    credentials into the snapshot, which every sandbox restored from it would share."""
    return _checks(settings, connects=lambda store: store_secret(settings, store) is None)


def _checks(settings: Settings, connects: Callable[[Store], bool]) -> dict[str, StoreCheck]:
    return {
        name: _loader(settings, CONNECTION_MODULES[store], drivers, connect=connects(store))
        for store, name, drivers in _STORES
        if store_configured(settings, store)
    }


def _loader(
    settings: Settings, module: str, drivers: tuple[str, ...], *, connect: bool
) -> StoreCheck:
    def load() -> Ping:
        for driver in drivers:
            importlib.import_module(driver)
        connection: _Connection = importlib.import_module(module)
        return (lambda: connection.ping(settings)) if connect else _loaded

    return load


async def _loaded() -> None:
    """The probe of a store that is loaded, not connected."""
