"""A checker of CloudWatch embedded metric format (EMF) documents, written from AWS's
specification ("Specification: Embedded metric format", Amazon CloudWatch User Guide) and the
limits of CloudWatch metrics. Independent of the app's own code on purpose: the units are
listed here again.
"""

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

UNITS = frozenset(
    {
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
    }
)
MAX_DIMENSIONS = 30  # dimension keys in one dimension set
MAX_METRICS = 100  # metric definitions in one directive
MAX_VALUES = 100  # values of one metric in one document
# CloudWatch refuses data points older than two weeks or more than two hours ahead.
MAX_AGE_MS = 14 * 24 * 3600 * 1000
MAX_AHEAD_MS = 2 * 3600 * 1000


class EmfError(AssertionError):
    """The document breaks the specification; CloudWatch would extract no metric from it."""


@dataclass(frozen=True)
class Datum:
    """What CloudWatch extracts: one metric, for one dimension set, with its values."""

    namespace: str
    name: str
    unit: str
    dimensions: tuple[tuple[str, str], ...]
    values: tuple[int | float, ...]


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise EmfError(message)


def _only(document: Mapping[str, Any], allowed: set[str], required: set[str], what: str) -> None:
    _check(isinstance(document, dict), f"{what} must be an object")
    _check(required <= document.keys(), f"{what} lacks {sorted(required - document.keys())}")
    _check(document.keys() <= allowed, f"{what} has unknown {sorted(document.keys() - allowed)}")


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def validate_emf(document: Any, *, now_ms: int | None = None) -> list[Datum]:
    """The data points CloudWatch would extract from `document`; EmfError if it would not."""
    _check(isinstance(document, dict), "the log event must be a JSON object")
    metadata = document.get("_aws")
    _only(metadata, {"Timestamp", "CloudWatchMetrics"}, {"Timestamp", "CloudWatchMetrics"}, "_aws")
    timestamp = metadata["Timestamp"]
    _check(isinstance(timestamp, int) and not isinstance(timestamp, bool), "Timestamp: integer")
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    _check(
        now_ms - MAX_AGE_MS <= timestamp <= now_ms + MAX_AHEAD_MS,
        f"Timestamp {timestamp} is not milliseconds since the epoch, now",
    )
    directives = metadata["CloudWatchMetrics"]
    _check(
        isinstance(directives, list) and len(directives) > 0, "CloudWatchMetrics: a non-empty array"
    )
    data: list[Datum] = []
    for directive in directives:
        data.extend(_directive(document, directive))
    return data


def _directive(document: Mapping[str, Any], directive: Any) -> list[Datum]:
    members = {"Namespace", "Dimensions", "Metrics"}
    _only(directive, members, members, "MetricDirective")
    namespace = directive["Namespace"]
    _check(isinstance(namespace, str) and 1 <= len(namespace) <= 255, "Namespace: 1-255 chars")
    _check(not namespace.startswith("AWS/"), "Namespace: AWS/ is reserved")
    dimension_sets = directive["Dimensions"]
    _check(isinstance(dimension_sets, list), "Dimensions: an array of dimension sets")
    resolved: list[tuple[tuple[str, str], ...]] = []
    for keys in dimension_sets:
        _check(isinstance(keys, list), "a dimension set is an array of keys")
        _check(len(keys) <= MAX_DIMENSIONS, f"a dimension set has over {MAX_DIMENSIONS} keys")
        _check(len(set(keys)) == len(keys), f"a dimension set repeats a key: {keys}")
        for key in keys:
            _check(isinstance(key, str) and 1 <= len(key) <= 255, f"dimension key {key!r}")
            value = document.get(key)
            _check(isinstance(value, str), f"dimension {key!r} needs a string member at the root")
            _check(1 <= len(str(value)) <= 1024, f"dimension {key!r}: value of 1-1024 chars")
        resolved.append(tuple((key, document[key]) for key in keys))
    definitions = directive["Metrics"]
    _check(isinstance(definitions, list), "Metrics: an array of metric definitions")
    _check(len(definitions) <= MAX_METRICS, f"over {MAX_METRICS} metrics in one directive")
    names = [definition.get("Name") for definition in definitions if isinstance(definition, dict)]
    _check(len(set(names)) == len(definitions), f"metric names must be unique: {names}")
    data: list[Datum] = []
    for definition in definitions:
        _only(definition, {"Name", "Unit", "StorageResolution"}, {"Name"}, "MetricDefinition")
        name, unit = definition["Name"], definition.get("Unit", "None")
        _check(isinstance(name, str) and 1 <= len(str(name)) <= 255, f"metric name {name!r}")
        _check(unit in UNITS, f"metric {name}: unit {unit!r} is not a CloudWatch unit")
        _check(definition.get("StorageResolution", 60) in (1, 60), f"{name}: StorageResolution")
        value = document.get(name)
        values: list[Any] = value if isinstance(value, list) else [value]
        _check(
            bool(values) and all(_number(each) for each in values),
            f"metric {name} needs a number or an array of numbers at the root, not {value!r}",
        )
        _check(len(values) <= MAX_VALUES, f"metric {name} has over {MAX_VALUES} values")
        data.extend(
            Datum(namespace, name, unit, dimensions, tuple(values)) for dimensions in resolved
        )
    return data
