"""Data stores: each has one lazily created, process-wide client (`LazyClient`)."""

import sys

# The connection module of each store; only those already imported can hold a client.
_CONNECTIONS = (
    "app.db.postgresql.connection",
    "app.db.mongo.connection",
    "app.db.redis.connection",
)


async def close_clients() -> None:
    """Close every store client this process opened (end of a script, shutdown)."""
    for name in _CONNECTIONS:
        module = sys.modules.get(name)
        if module is not None:
            await module.shared.close()


async def disconnect_clients() -> None:
    """Close every connection the process's store clients hold (`LazyClient.disconnect`)."""
    for name in _CONNECTIONS:
        module = sys.modules.get(name)
        if module is not None:
            await module.shared.disconnect()
