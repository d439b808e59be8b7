"""A time bound on a block of store work that holds even when the server is stalled.

`asyncio.timeout` alone is not enough: a driver may answer the cancellation by waiting again.
psycopg, when a running query is cancelled, asks the server to cancel it and waits for the
answer, up to 5 s for the cancel request and 5 s more for the query to end; a stalled server
(stopped, or a network path that drops packets) answers neither, so a 1 s bound became 11 s.
A second cancellation, delivered while it waits, makes psycopg close the connection at once.

So `Deadline` cancels the block at the bound (or `lead` seconds before it, to leave a healthy
server the time to cancel a query), then again on the next turn of the event loop and every
0.2 s while the block still runs, then takes its cancellations back (`uncancel`) so the block
fails with `DeadlineExpired`, not as cancelled: for a store's block, that store's 503.
"""

import asyncio
from types import TracebackType

from app.core.stores import Store, StoreUnavailableError

_INSISTENCE_SECONDS = 0.2  # after the bound, how often to cancel again


class DeadlineExpired(StoreUnavailableError):
    """The block ran past its bound and was cancelled; `store` is the store that did not
    answer, when the deadline names one."""


class _Canceller:
    def __init__(self, task: asyncio.Task[object], seconds: float, lead: float) -> None:
        self._task = task
        self._loop = asyncio.get_running_loop()
        self._lead = lead
        self._handle: asyncio.Handle = self._loop.call_later(seconds - lead, self._expire)
        self.cancels = 0
        self.running = True

    def _expire(self) -> None:
        self._cancel()
        # With no lead this runs on the next turn: after the task has woken with the first
        # cancellation (queued first), so it finds the driver waiting again.
        self._handle = self._loop.call_later(self._lead, self._insist)

    def _insist(self) -> None:
        self._cancel()
        self._handle = self._loop.call_later(_INSISTENCE_SECONDS, self._insist)

    def _cancel(self) -> None:
        if self.running:
            self.cancels += 1
            self._task.cancel()

    def close(self) -> bool:
        """Stop cancelling; take back this deadline's cancellations. True if it expired.

        After `close` (once or more), the task counts as cancelled only if something else
        cancelled it."""
        if self.running:
            self.running = False
            self._handle.cancel()
            for _ in range(self.cancels):
                self._task.uncancel()
        return self.cancels > 0


class Deadline:
    """Run the block within `seconds` (None: no bound); past it, raise `DeadlineExpired` for
    `store`.

    The block is first cancelled `lead` seconds before the bound (clamped to the bound). An
    error the block raised on its own, before or while expiring, is raised unchanged; a
    cancellation from outside the block stays a cancellation. (A class, not a generator:
    it wraps every database block of every request.)
    """

    __slots__ = ("_bound", "_lead", "_seconds", "_store", "_task")

    def __init__(
        self, seconds: float | None, *, lead: float = 0.0, store: Store | None = None
    ) -> None:
        self._seconds = seconds
        self._lead = lead
        self._store = store
        self._task: asyncio.Task[object] | None = None
        self._bound: _Canceller | None = None

    async def __aenter__(self) -> None:
        self._task = asyncio.current_task()
        if self._seconds is not None and self._task is not None:
            lead = min(max(self._lead, 0.0), self._seconds)
            self._bound = _Canceller(self._task, self._seconds, lead)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        bound = self._bound
        if bound is None:
            return
        expired = bound.close()
        if exc_type is asyncio.CancelledError and expired:
            assert self._task is not None
            if not self._task.cancelling():
                answer = f"no answer from {self._store}" if self._store else "no answer"
                raise DeadlineExpired(f"{answer} within {self._seconds:g} s", self._store) from None
