"""The suite's stand-in for the app's one-client-per-process holders (`LazyClient`).

A process of the app runs one event loop; the suite runs two (its own, and the Lambda
handler thread's, see lambda_transport.py) and points the app at other servers per test
(a closed port, another key namespace). So here each loop gets its own client per set of
connection options, and a client whose options are no longer asked for is closed on its
own loop in the background. `tests/fixtures/stores.py` installs one per store.
"""

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from app.core.settings import Settings
from app.db.lazy_client import LazyClient


@dataclass(frozen=True, slots=True)
class _Entry[OptionsT, ClientT]:
    settings: Settings
    options: OptionsT
    client: ClientT


class LoopLocal[OptionsT, ClientT](LazyClient[OptionsT, ClientT]):
    def __init__(
        self,
        production: LazyClient[OptionsT, ClientT],
        close: Callable[[ClientT], Coroutine[Any, Any, None]],
    ) -> None:
        super().__init__(production.options, production.connect)
        self._close = close
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
            task = loop.create_task(self._close(current.client))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        return client

    async def close(self) -> None:
        """Close the running loop's client; clients of other loops are forgotten with them."""
        current = self._clients.pop(asyncio.get_running_loop(), None)
        if current is not None:
            await self._close(current.client)
