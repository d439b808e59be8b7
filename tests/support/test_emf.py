"""The EMF checker refuses what CloudWatch would refuse: a passing line means something."""

import time
from typing import Any

import pytest

from app.core import metrics
from tests.support.emf import UNITS, EmfError, validate_emf


def _document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": "svc",
                    "Dimensions": [["Service"], ["Service", "Route"]],
                    "Metrics": [{"Name": "Latency", "Unit": "Milliseconds"}, {"Name": "Size"}],
                }
            ],
        },
        "Service": "svc",
        "Route": "/books",
        "Latency": 1.5,
        "Size": [1, 2],
    }
    for path, value in changes.items():
        target: Any = document
        *parents, last = path.split(".")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is None:
            del target[last]
        else:
            target[last] = value
    return document


def test_a_valid_document_yields_each_metric_per_dimension_set() -> None:
    data = validate_emf(_document())
    assert [(datum.name, datum.unit, datum.dimensions, datum.values) for datum in data] == [
        ("Latency", "Milliseconds", (("Service", "svc"),), (1.5,)),
        ("Latency", "Milliseconds", (("Service", "svc"), ("Route", "/books")), (1.5,)),
        ("Size", "None", (("Service", "svc"),), (1, 2)),
        ("Size", "None", (("Service", "svc"), ("Route", "/books")), (1, 2)),
    ]


DIRECTIVE = "_aws.CloudWatchMetrics.0"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"_aws": None}, "_aws must be an object"),
        ({"_aws.Timestamp": None}, "lacks"),
        ({"_aws.Timestamp": int(time.time())}, "milliseconds"),  # seconds, not ms
        ({"_aws.Timestamp": "now"}, "integer"),
        ({"_aws.Extra": 1}, "unknown"),
        ({"_aws.CloudWatchMetrics": []}, "non-empty"),
        ({f"{DIRECTIVE}.Namespace": None}, "lacks"),
        ({f"{DIRECTIVE}.Namespace": "AWS/Lambda"}, "reserved"),
        ({f"{DIRECTIVE}.Dimensions": [["Service", "Missing"]]}, "string member"),
        ({f"{DIRECTIVE}.Dimensions": [[f"K{n}" for n in range(31)]]}, "over 30"),
        ({"Route": 7}, "string member"),
        ({"Route": ""}, "1-1024"),
        ({f"{DIRECTIVE}.Metrics": [{"Name": f"M{n}"} for n in range(101)]}, "over 100"),
        ({f"{DIRECTIVE}.Metrics": [{"Name": "Latency", "Unit": "Parsecs"}]}, "unit"),
        ({f"{DIRECTIVE}.Metrics": [{"Name": "Latency"}, {"Name": "Latency"}]}, "unique"),
        ({f"{DIRECTIVE}.Metrics": [{"Name": "Latency", "Other": 1}]}, "unknown"),
        ({"Latency": None}, "number"),
        ({"Latency": "1.5"}, "number"),
        ({"Latency": True}, "number"),
        ({"Size": list(range(101))}, "over 100 values"),
    ],
)
def test_what_cloudwatch_would_refuse_is_refused(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(EmfError, match=reason):
        validate_emf(_document(**changes))


def test_every_unit_the_app_accepts_is_one_the_specification_lists() -> None:
    # The checker's list is written from the specification, not from the app's: a unit added
    # to the app's `Unit` that CloudWatch does not know fails here.
    assert metrics.UNITS <= UNITS, sorted(metrics.UNITS - UNITS)
