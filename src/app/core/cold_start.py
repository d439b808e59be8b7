"""Cold start: load code without the cyclic garbage collector scanning what it imports.

Importing the app creates ~100k objects that live as long as the process. Left running, the
collector makes over a hundred passes over them during the import, a noticeable part of the
Lambda init (docs/performance.md). Frozen afterwards, they are never scanned again, which
later collections on warm invocations also profit from. The same holds for the modules loaded
on the first request (SQLAlchemy with the books data layer).
"""

import gc
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType


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


def load_on_first_use(name: str) -> ModuleType:
    """The module `name`; the call that imports it does so with the collector paused and
    freezes the result. Freezing once also freezes the objects of the request in flight,
    which only means their cycles, if any, are never collected."""
    module = sys.modules.get(name)
    if module is None:
        with collector_paused(freeze=True):
            module = importlib.import_module(name)
    return module
