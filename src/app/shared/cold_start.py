"""Cold start: load the app without the cyclic garbage collector scanning what it imports.

Importing the app creates ~100k objects that live as long as the process. Left running, the
collector makes ~130 passes over them during the import, ~40 ms of a ~420 ms Lambda init
(docs/performance.md). Frozen afterwards, they are never scanned again, which later
collections on warm invocations also profit from.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(*, freeze: bool = False) -> Iterator[None]:
    """No collection inside the block; with `freeze`, every object alive at its end is moved
    out of the collector's reach (reference counting still frees them)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()
