"""CloudWatch metrics without an AWS API call: embedded metric format (EMF) lines on stdout.

On Lambda, CloudWatch Logs turns every log line that is such a JSON document into metric
data points, so counting costs one `write` and needs no SDK, no permission and no network.
"""

import json
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any, Literal

Unit = Literal["Count", "Milliseconds"]


def emf_fields(
    namespace: str,
    metrics: Mapping[str, tuple[float, Unit]],
    dimensions: Mapping[str, str],
    dimension_sets: Sequence[Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The root fields that make a JSON log line an EMF document: the `_aws` declaration,
    each metric's value and each dimension's, under their names. `dimension_sets` are the
    combinations of dimension names the metrics are published under (default: all of them)."""
    declaration = {
        "Namespace": namespace,
        "Dimensions": [list(names) for names in dimension_sets or [list(dimensions)]],
        "Metrics": [{"Name": name, "Unit": unit} for name, (_, unit) in metrics.items()],
    }
    return {
        "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [declaration]},
        **dimensions,
        **{name: value for name, (value, _) in metrics.items()},
    }


def count(namespace: str, name: str, dimensions: Mapping[str, str], **properties: str) -> None:
    """Add 1 to the metric `namespace`/`name` for these dimensions; `properties` ride along
    as searchable fields of the log line (not dimensions, so they cost no extra metric)."""
    document = emf_fields(namespace, {name: (1, "Count")}, dimensions)
    document = {"_aws": document.pop("_aws"), **properties, **document}
    sys.stdout.write(json.dumps(document, separators=(",", ":")) + "\n")
    sys.stdout.flush()
