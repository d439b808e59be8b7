"""Data stores: each has one lazily created, process-wide client (`LazyClient`)."""

import sys
from typing import TYPE_CHECKING

from app.core.stores import Store

if TYPE_CHECKING:
    from app.db.lazy_client import LazyClient

# The connection module of each store: it holds the store's client as `shared`, and `ping`.
CONNECTION_MODULES: dict[Store, str] = {
    "postgresql": "app.db.postgresql.connection",
    "mongo": "app.db.mongo.connection",
    "redis": "app.db.redis.connection",
}


def _opened_clients() -> "list[LazyClient[object, object]]":
    # Only a connection module already imported can hold a client: none is imported here.
    modules = (sys.modules.get(name) for name in CONNECTION_MODULES.values())
    return [module.shared for module in modules if module is not None]


async def close_clients() -> None:
    """Close every store client this process opened (end of a script, shutdown)."""
    for client in _opened_clients():
        await client.close()


async def disconnect_clients() -> None:
    """Close every connection the process's store clients hold (`LazyClient.disconnect`)."""
    for client in _opened_clients():
        await client.disconnect()
