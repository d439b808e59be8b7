"""One client per process, created on first use and reused across Lambda invocations.

A Lambda sandbox and a uvicorn worker each run one event loop, and asyncio drivers bind
their sockets to it, so one client per process is one client per loop. Building a client
does no I/O; the connection options are derived once, from the settings of the first use.
"""

from collections.abc import Callable, Coroutine
from typing import Any

from app.core.settings import Settings


class LazyClient[OptionsT, ClientT]:
    def __init__(
        self,
        options: Callable[[Settings], OptionsT],
        connect: Callable[[OptionsT], ClientT],
        close: Callable[[ClientT], Coroutine[Any, Any, None]],
    ) -> None:
        self.options = options
        self.connect = connect
        self.close_client = close
        self._client: ClientT | None = None

    def get(self, settings: Settings) -> ClientT:
        """The process's client, built from `settings` the first time."""
        client = self._client
        if client is None:
            client = self._client = self.connect(self.options(settings))
        return client

    async def close(self) -> None:
        """Close the client (its pool, its sockets); the next use builds a new one."""
        client, self._client = self._client, None
        if client is not None:
            await self.close_client(client)
