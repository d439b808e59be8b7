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
        disconnect: Callable[[ClientT], Coroutine[Any, Any, None]] | None = None,
    ) -> None:
        self.options = options
        self.connect = connect
        self.close_client = close
        # Closes the client's connections and leaves it usable; None: the driver cannot
        # reconnect a client (PyMongo's), so disconnecting closes it.
        self.disconnect_client = disconnect
        self._client: ClientT | None = None
        self._options: OptionsT | None = None
        self._recheck_options = False

    def get(self, settings: Settings) -> ClientT:
        """The process's client, built from `settings` the first time."""
        client = self._client
        if client is None or self._recheck_options:
            client = self._current(settings)
        return client

    def _current(self, settings: Settings) -> ClientT:
        options = self.options(settings)
        if self._client is None or options != self._options:
            # A client replaced here was disconnected: it holds no connection to close.
            self._client = self.connect(options)
            self._options = options
        self._recheck_options = False
        return self._client

    async def close(self) -> None:
        """Close the client (its pool, its sockets); the next use builds a new one."""
        client, self._client = self._client, None
        if client is not None:
            await self.close_client(client)

    async def disconnect(self) -> None:
        """Close every connection but keep the client when the driver can reconnect it, with
        what its first connection set up (SQLAlchemy's dialect, compiled statements). Its
        options are derived again on the next use and a client whose options changed (a
        secret rotated meanwhile) is replaced: used around a Lambda SnapStart snapshot."""
        client = self._client
        if client is None or self.disconnect_client is None:
            await self.close()
            return
        await self.disconnect_client(client)
        self._recheck_options = True
