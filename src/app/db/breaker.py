"""A circuit breaker: after repeated failures, a store is skipped for a while instead of waited
for. Used for Redis, where every call has a fallback (the cache and the rate limit fail open)
or must fail anyway (idempotency answers 503): a stalled Redis then costs each request no
time at all, instead of a socket timeout per call.

Closed: calls go through; `failures` failures in a row open it. Open: calls raise
`CircuitOpenError` at once, for `cooldown_seconds`. Then one call at a time tries the store
again: a success closes the breaker, a failure opens it for another cooldown.
"""

import time

from loguru import logger

from app.core.stores import Store, StoreUnavailableError


class CircuitOpenError(StoreUnavailableError):
    """The store failed repeatedly just now; it is skipped until the cooldown ends."""


class CircuitBreaker:
    def __init__(self, store: Store, failures: int, cooldown_seconds: float) -> None:
        self.store = store
        self.failures = failures
        self.cooldown_seconds = cooldown_seconds
        self._in_a_row = 0
        self._open_until: float | None = None  # time.monotonic(); None while closed
        self._trial_running = False

    @property
    def is_open(self) -> bool:
        return self._open_until is not None

    def before_call(self) -> None:
        """Let the call go, or raise `CircuitOpenError` (open, or another call is the trial)."""
        if self._open_until is None:
            return
        if self._trial_running or time.monotonic() < self._open_until:
            raise CircuitOpenError(
                f"{self.store} skipped after {self.failures} failures in a row", self.store
            )
        self._trial_running = True

    def succeeded(self) -> None:
        if self._open_until is not None:
            logger.info("{} answers again: circuit closed", self.store)
        self._in_a_row = 0
        self._open_until = None
        self._trial_running = False

    def failed(self) -> None:
        self._in_a_row += 1
        trial, self._trial_running = self._trial_running, False
        if trial or self._in_a_row >= self.failures:
            if self._open_until is None:
                logger.warning(
                    "{} failed {} times in a row: skipped for {} s",
                    self.store,
                    self._in_a_row,
                    self.cooldown_seconds,
                )
            self._open_until = time.monotonic() + self.cooldown_seconds

    def abandoned(self) -> None:
        """The call ended without a verdict on the store (cancelled, or another error)."""
        self._trial_running = False
