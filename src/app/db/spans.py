"""Store calls as OpenTelemetry spans (`app.core.tracing`): one per SQL statement, MongoDB
command or Redis command, named `<operation> <table or collection>` and attributed by the
conventions for databases (`db.system`, `db.name`, `db.operation`, the table or collection,
`server.address`, `server.port`).

The drivers report a call's start and end separately (SQLAlchemy's cursor events, PyMongo's
command listener); each block of store work (`calls_to`) also ends a call a cancellation cut
short, and records a failure that came before any call reached the store (it could not
connect, a secret could not be read) as one span named after the store.
"""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from opentelemetry.trace import Span
from opentelemetry.util.types import AttributeValue

from app.core.tracing import failed, start_client_span


class _Block:
    __slots__ = ("open", "started")

    def __init__(self) -> None:
        self.open: dict[object, Span] = {}
        self.started = False


_block: ContextVar[_Block | None] = ContextVar("store_block", default=None)


@contextmanager
def calls_to(system: str) -> Iterator[None]:
    """Around a block of calls to one store (its `db.system`)."""
    block = _Block()
    token = _block.set(block)
    try:
        yield
    except BaseException as error:
        for span in block.open.values():
            failed(span, type(error).__qualname__)
        if not block.started:
            span = start_client_span(system, {"db.system": system})
            failed(span, type(error).__qualname__)
            span.end()
        raise
    finally:
        for span in block.open.values():
            span.end()
        _block.reset(token)


# What a call is: its operation, its table or collection, its other attributes.
Description = tuple[str, str | None, Mapping[str, AttributeValue]]


def call_started(key: object, describe: Callable[[], Description]) -> None:
    """A call of the current block begins; `key` tells the driver's report of its end from
    others'. `describe` runs only when the span is recorded (an SDK is set). Calls outside a
    block (migrations) are not traced."""
    block = _block.get()
    if block is None:
        return
    span = start_client_span("call")
    if span.is_recording():
        operation, target, attributes = describe()
        span.update_name(f"{operation} {target}" if target else operation)
        span.set_attributes({**attributes, "db.operation": operation})
    block.open[key] = span
    block.started = True


def call_ended(key: object, error_type: str | None = None) -> None:
    """The call `key` ended, failed with an error of type `error_type` when given."""
    block = _block.get()
    span = None if block is None else block.open.pop(key, None)
    if span is None:
        return
    if error_type is not None:
        failed(span, error_type)
    span.end()
