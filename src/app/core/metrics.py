"""CloudWatch metrics in the embedded metric format (EMF): the one line a request or an
invocation writes is also its metric document, so a metric costs no extra write, no SDK, no
permission and no network (docs/operations.md).

Code adds to the line of the current request or invocation with one call,
`count("BooksCreated")` or `value("ImportedRows", 120)`; outside one, the call does nothing.
"""

import math
import re
from contextvars import ContextVar
from json.encoder import encode_basestring_ascii as json_string
from typing import Literal, get_args

Unit = Literal[
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
]
UNITS: frozenset[str] = frozenset(get_args(Unit))

# The metrics the app writes itself; the dashboard and the alarms (infra/template.yaml) read
# them by these names.
LATENCY = "Latency"
REQUESTS = "Requests"
CLIENT_ERRORS = "ClientErrors"
SERVER_ERRORS = "ServerErrors"
COLD_START = "ColdStart"
RESTORE = "Restore"
UNHANDLED_ERRORS = "UnhandledErrors"
DURATION = "Duration"
# Dimension keys: every line has SERVICE and ENVIRONMENT, with ROUTE (requests) or INVOCATION.
SERVICE = "Service"
ENVIRONMENT = "Environment"
ROUTE = "Route"
INVOCATION = "Invocation"

MAX_METRICS = 100  # per directive, by the EMF specification
MAX_VALUES = 100  # per metric and line, likewise
# What code may add to one line: the specification's limit less room for the line's own
# metrics (six at most).
MAX_ADDED_METRICS = MAX_METRICS - 10

# PascalCase, so that a metric never takes the place of one of the line's own fields
# (snake_case) at the document's root.
_NAME = re.compile(r"^[A-Z][A-Za-z0-9]{0,254}$")
_RESERVED = frozenset(
    {
        LATENCY,
        REQUESTS,
        CLIENT_ERRORS,
        SERVER_ERRORS,
        COLD_START,
        RESTORE,
        DURATION,
        SERVICE,
        ENVIRONMENT,
        ROUTE,
        INVOCATION,
    }
)


class LineMetrics:
    """What the current request or invocation adds to its line: metrics, and for a request
    answered with an error, its internal code."""

    __slots__ = ("code", "units", "values")

    def __init__(self) -> None:
        self.code: int | None = None
        self.units: dict[str, tuple[Unit, bool]] = {}  # name: (unit, summed)
        self.values: dict[str, float | list[float]] = {}

    def add(self, name: str, amount: float, unit: Unit, *, summed: bool) -> None:
        known = self.units.get(name)
        if known is None:
            _check(name, amount, unit)
            if len(self.units) >= MAX_ADDED_METRICS:
                raise ValueError(f"more than {MAX_ADDED_METRICS} metrics on one line: {name}")
            self.units[name] = (unit, summed)
            self.values[name] = amount if summed else [amount]
            return
        if known != (unit, summed):
            raise ValueError(f"metric {name} is already a {_kind(*known)} on this line")
        _check(name, amount, unit)
        values = self.values[name]
        if isinstance(values, list):
            if len(values) < MAX_VALUES:  # EMF takes no more; the rest are dropped
                values.append(amount)
        else:
            self.values[name] = values + amount


current_line: ContextVar[LineMetrics | None] = ContextVar("current_line", default=None)


def count(name: str, amount: float = 1) -> None:
    """Add `amount` to the count `name` of the current line (one data point, the sum)."""
    line = current_line.get()
    if line is not None:
        line.add(name, amount, "Count", summed=True)


def value(name: str, amount: float, unit: Unit = "None") -> None:
    """One data point of `name` on the current line; each call is another (up to 100)."""
    line = current_line.get()
    if line is not None:
        line.add(name, amount, unit, summed=False)


def answered_with(code: int) -> None:
    """The current request is answered with the error `code` (the line's `code` field)."""
    line = current_line.get()
    if line is not None:
        line.code = code


def _check(name: str, amount: float, unit: str) -> None:
    if not _NAME.match(name) or name in _RESERVED:
        raise ValueError(
            f"metric name {name!r}: PascalCase letters and digits, not one of the app's own"
        )
    if unit not in UNITS:
        raise ValueError(f"metric {name}: unit {unit!r} is not a CloudWatch unit")
    if isinstance(amount, bool) or not math.isfinite(amount):
        raise ValueError(f"metric {name}: {amount} is not a finite number")


def _kind(unit: str, summed: bool) -> str:
    return "count" if summed else f"value in {unit}"


class MetricDocument:
    """The EMF part of this service's lines: the dimension members, the metric members and
    the `_aws` metadata, as JSON members to close a line's object with.

    Built once per process: a line only fills in its values, its route and the time.
    """

    def __init__(self, namespace: str, service: str, environment: str) -> None:
        self._dimensions = (
            f'"{SERVICE}":{json_string(service)},"{ENVIRONMENT}":{json_string(environment)},'
        )
        # Per third dimension: the metadata up to the metric definitions.
        self._directives = {
            dimension: f'"CloudWatchMetrics":[{{"Namespace":{json_string(namespace)},'
            f'"Dimensions":[["{SERVICE}","{ENVIRONMENT}"],["{SERVICE}","{ENVIRONMENT}",'
            f'"{dimension}"]],"Metrics":['
            for dimension in (ROUTE, INVOCATION)
        }

    def members(
        self,
        dimension: str,
        dimension_value: str,
        own: str,
        own_definitions: str,
        line: LineMetrics | None,
        timestamp_ms: int,
    ) -> str:
        """`own` holds the line's own metric members (`"Latency":1.5,...`) and
        `own_definitions` their definitions (`{"Name":"Latency","Unit":"Milliseconds"},...`);
        `line` adds what code counted. Dimension sets: [Service, Environment] and
        [Service, Environment, <dimension>] (ROUTE or INVOCATION)."""
        added = added_definitions = ""
        if line is not None and line.values:
            added = "".join(f',"{name}":{number}' for name, number in line.values.items())
            added_definitions = "".join(
                f',{{"Name":"{name}","Unit":"{unit}"}}' for name, (unit, _) in line.units.items()
            )
        return (
            f'{self._dimensions}"{dimension}":{json_string(dimension_value)},{own}{added},'
            f'"_aws":{{"Timestamp":{timestamp_ms},{self._directives[dimension]}'
            f"{own_definitions}{added_definitions}]}}]}}"
        )


def definitions(metrics: dict[str, Unit]) -> str:
    """Metric definitions as JSON array items, for `MetricDocument.members`."""
    return ",".join(f'{{"Name":"{name}","Unit":"{unit}"}}' for name, unit in metrics.items())
