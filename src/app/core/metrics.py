"""CloudWatch metrics without an AWS API call: embedded metric format (EMF) lines on stdout.

On Lambda, CloudWatch Logs turns every log line that is such a JSON document into metric
data points, so counting costs one `write` and needs no SDK, no permission and no network.
"""

import json
import sys
import time
from collections.abc import Mapping


def count(namespace: str, name: str, dimensions: Mapping[str, str], **properties: str) -> None:
    """Add 1 to the metric `namespace`/`name` for these dimensions; `properties` ride along
    as searchable fields of the log line (not dimensions, so they cost no extra metric)."""
    document = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": [list(dimensions)],
                    "Metrics": [{"Name": name, "Unit": "Count"}],
                }
            ],
        },
        **properties,
        **dimensions,
        name: 1,
    }
    sys.stdout.write(json.dumps(document, separators=(",", ":")) + "\n")
    sys.stdout.flush()
