"""The stores the app can use, and the one error that says a store cannot serve right now."""

from typing import Literal

Store = Literal["postgresql", "mongo", "redis"]


class StoreUnavailableError(RuntimeError):
    """`store` cannot serve the request now (its URL secret is unreadable, it did not answer
    in time): answered as that store's 503, like the driver's own connection errors."""

    def __init__(self, message: str, store: Store | None = None) -> None:
        super().__init__(message)
        self.store = store
