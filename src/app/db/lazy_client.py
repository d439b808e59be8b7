"""One client per process, created on first use and reused across Lambda invocations.

A Lambda sandbox and a uvicorn worker each run one event loop, and asyncio drivers bind
their sockets to it, so one client per process is one client per loop. Building a client
does no I/O; the connection options are derived once, from the settings of the first use.
"""

from collections.abc import Callable

from app.core.settings import Settings


class LazyClient[OptionsT, ClientT]:
    def __init__(
        self, options: Callable[[Settings], OptionsT], connect: Callable[[OptionsT], ClientT]
    ) -> None:
        self.options = options
        self.connect = connect
        self._client: ClientT | None = None

    def get(self, settings: Settings) -> ClientT:
        """The process's client, built from `settings` the first time."""
        client = self._client
        if client is None:
            client = self._client = self.connect(self.options(settings))
        return client
