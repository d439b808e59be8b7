"""OpenTelemetry spans of what the app calls (stores, the token issuer, secrets), through
`opentelemetry-api` alone: each a child of the current span (FastAPI's request span), and a
no-op until a tracer provider is set (the ADOT layer: docs/operations.md).

Attributes follow the OpenTelemetry semantic conventions (`db.system`, `db.operation`,
`http.request.method`...) and never hold parameters, bodies, tokens or credentials. A failure
is recorded by its type alone: a driver's message may quote a statement's parameters.
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, StatusCode
from opentelemetry.util.types import Attributes

# A proxy: spans go to whatever provider is set, also one set after this import.
_tracer = trace.get_tracer("app")


def start_client_span(name: str, attributes: Attributes = None) -> Span:
    """A span for a call the app makes, started now as a child of the current span; the
    caller ends it (`span.end()`), after `failed` when the call failed."""
    return _tracer.start_span(name, kind=SpanKind.CLIENT, attributes=attributes)


def failed(span: Span, error_type: str) -> None:
    """Mark `span` failed with an error of this type (`error.type`, an exception event)."""
    span.set_attribute("error.type", error_type)
    span.add_event("exception", {"exception.type": error_type})
    span.set_status(StatusCode.ERROR, error_type)


@contextmanager
def client_span(name: str, attributes: Attributes = None) -> Iterator[Span]:
    """One call as a span: ended when the block ends, failed when it raises."""
    span = start_client_span(name, attributes)
    try:
        yield span
    except BaseException as error:
        failed(span, type(error).__qualname__)
        raise
    finally:
        span.end()


def traced[**P, R](
    name: str, attributes: Attributes = None
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Each call of the decorated function is a `client_span`."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            with client_span(name, attributes):
                return function(*args, **kwargs)

        return call

    return decorate


def http_attributes(method: str, url: str) -> dict[str, str | int]:
    """An HTTP call's attributes: its method, and its URL without user or password."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return {
        "http.request.method": method,
        "url.full": parts._replace(netloc=host).geturl(),
        **server_attributes(url),
    }


def server_attributes(url: str) -> dict[str, str | int]:
    """`server.address` and `server.port` of a URL: never its user, password or path."""
    parts = urlsplit(url)
    attributes: dict[str, str | int] = {}
    if parts.hostname:
        attributes["server.address"] = parts.hostname
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None:
        attributes["server.port"] = port
    return attributes
