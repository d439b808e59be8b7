"""The suite's stand-in for the app's one-client-per-process holders (`LazyClient`).

A process of the app runs one event loop; the suite runs two (its own, and the Lambda
handler thread's, see lambda_transport.py) and points the app at other servers per test
(a closed port, another key namespace). So here each loop gets its own client per set of
connection options, and a client whose options are no longer asked for is closed on its
own loop in the background. `store_clients_per_loop` installs one per store for the suite.
"""

import asyncio
import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import Context
from dataclasses import dataclass
from weakref import WeakKeyDictionary

import pytest

from app.core.settings import Settings
from app.db.lazy_client import LazyClient
from app.db.mongo import connection as mongo_connection
from app.db.postgresql import connection as postgresql_connection
from app.db.redis import connection as redis_connection
from tests.support.lambda_transport import run_on_handler_thread


@dataclass(frozen=True, slots=True)
class _Entry[OptionsT, ClientT]:
    settings: Settings
    options: OptionsT
    client: ClientT


class LoopLocal[OptionsT, ClientT](LazyClient[OptionsT, ClientT]):
    def __init__(self, production: LazyClient[OptionsT, ClientT]) -> None:
        super().__init__(
            production.options,
            production.connect,
            production.close_client,
            production.disconnect_client,
        )
        self._clients: WeakKeyDictionary[asyncio.AbstractEventLoop, _Entry[OptionsT, ClientT]]
        self._clients = WeakKeyDictionary()
        self._closing: set[asyncio.Task[None]] = set()

    def get(self, settings: Settings) -> ClientT:
        """The running loop's client for `settings`' connection options."""
        loop = asyncio.get_running_loop()
        current = self._clients.get(loop)
        if current is not None and current.settings is settings:
            return current.client
        options = self.options(settings)
        if current is not None and current.options == options:
            self._clients[loop] = _Entry(settings, options, current.client)
            return current.client
        client = self.connect(options)
        self._clients[loop] = _Entry(settings, options, client)
        if current is not None:
            # Not in the request's context: its store calls are not the request's.
            task = loop.create_task(self.close_client(current.client), context=Context())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        return client

    async def disconnect(self) -> None:
        """Close the running loop's client: the suite keeps no client across a disconnect."""
        entry = self._clients.pop(asyncio.get_running_loop(), None)
        if entry is not None:
            await self.close_client(entry.client)

    async def close_all(self) -> None:
        """Close every loop's client, each on its own loop: this one here, the Lambda
        handler's on the handler thread (its loop runs only while that thread drives it)."""
        running = asyncio.get_running_loop()
        for loop, entry in list(self._clients.items()):
            if loop is running:
                await self.close_client(entry.client)
            elif not loop.is_closed():
                close = functools.partial(loop.run_until_complete, self.close_client(entry.client))
                await asyncio.to_thread(run_on_handler_thread, close)
        self._clients.clear()


@asynccontextmanager
async def store_clients_per_loop() -> AsyncIterator[None]:
    """Each store's `shared` client holder replaced by a `LoopLocal`, closed at the end."""
    stores = (postgresql_connection, mongo_connection, redis_connection)
    holders = [LoopLocal(store.shared) for store in stores]
    with pytest.MonkeyPatch.context() as patch:
        for store, holder in zip(stores, holders, strict=True):
            patch.setattr(store, "shared", holder)
        yield
        for holder in holders:
            await holder.close_all()
