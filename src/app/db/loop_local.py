"""One client per event loop, rebuilt when its connection options change.

Asyncio drivers bind their sockets to the loop they first ran on. A Lambda sandbox and a
uvicorn worker run one loop, so in practice this is one client per process, reused across
invocations; the test suite also drives the app through the Lambda handler on a second
loop, which gets its own client instead of breaking the first one's.

Options are derived from the settings object only when it is not the one the client was
built from (deriving them can parse a URL, too costly to repeat on every request).
"""

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from app.core.settings import Settings


@dataclass(frozen=True, slots=True)
class _Entry[OptionsT, ClientT]:
    settings: Settings
    options: OptionsT
    client: ClientT


class LoopLocal[OptionsT, ClientT]:
    def __init__(
        self,
        options: Callable[[Settings], OptionsT],
        connect: Callable[[OptionsT], ClientT],
        close: Callable[[ClientT], Coroutine[Any, Any, None]],
    ) -> None:
        self._options = options
        self._connect = connect
        self._close = close
        self._clients: WeakKeyDictionary[asyncio.AbstractEventLoop, _Entry[OptionsT, ClientT]]
        self._clients = WeakKeyDictionary()
        self._closing: set[asyncio.Task[None]] = set()

    def get(self, settings: Settings) -> ClientT:
        """The running loop's client for `settings`; building one does no I/O."""
        loop = asyncio.get_running_loop()
        current = self._clients.get(loop)
        if current is not None and current.settings is settings:
            return current.client
        options = self._options(settings)
        if current is not None and current.options == options:
            self._clients[loop] = _Entry(settings, options, current.client)
            return current.client
        client = self._connect(options)
        self._clients[loop] = _Entry(settings, options, client)
        if current is not None:
            # Settings changed (tests pointing at another server): close the old client on
            # its own loop, in the background, holding a reference until it is done.
            task = loop.create_task(self._close(current.client))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        return client

    async def close(self) -> None:
        """Close the running loop's client; clients of other loops are forgotten with them."""
        current = self._clients.pop(asyncio.get_running_loop(), None)
        if current is not None:
            await self._close(current.client)
