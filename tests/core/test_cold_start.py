"""The collector pause and freeze around what the app loads at init and on first use."""

import gc
import json

from app.core.cold_start import collector_paused
from tests.support.fresh_python import fresh_python

FIRST_USE_PROBE = """
import gc, json, sys
from app.core.cold_start import load_on_first_use
before = gc.get_freeze_count()
module = load_on_first_use("app.domains.books.services")
after_first = gc.get_freeze_count()
again = load_on_first_use("app.domains.books.services")
print(json.dumps({
    "before": before,
    "after_first": after_first,
    "after_second": gc.get_freeze_count(),
    "same_module": module is again,
    "sqlalchemy_loaded": "sqlalchemy" in sys.modules,
    "collector_enabled": gc.isenabled(),
}))
"""


def test_first_use_loads_the_module_frozen_once() -> None:
    report = json.loads(fresh_python(FIRST_USE_PROBE, ENVIRONMENT="production"))

    assert report["sqlalchemy_loaded"] is True
    assert report["after_first"] - report["before"] > 10_000  # SQLAlchemy, the data layer
    # Later calls find the module loaded: nothing more is frozen, so request garbage with
    # cycles stays collectable.
    assert report["after_second"] == report["after_first"]
    assert report["same_module"] is True
    assert report["collector_enabled"] is True


def test_a_collector_disabled_before_the_pause_stays_disabled() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_runs_again_after_the_pause_even_when_the_block_raises() -> None:
    try:
        with collector_paused():
            assert not gc.isenabled()
            raise LookupError
    except LookupError:
        pass
    assert gc.isenabled()
