"""infra/template.yaml's dashboard and alarms read the metrics the app really writes: the names
come from the code (a renamed metric fails here), and so do the dimension sets."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode_str

from app.background.batch import RECORDS_FAILED, RECORDS_PROCESSED
from app.core import metrics
from app.http.errors.exceptions import STORE_UNAVAILABLE_METRICS

TEMPLATE = Path(__file__).parents[1] / "infra" / "template.yaml"
SERVICE, ENVIRONMENT, FUNCTION = "svc", "production", "svc-production"
# What the lines carry (app.core.lines): the request's and its code's metrics.
WRITTEN = {
    metrics.LATENCY,
    metrics.REQUESTS,
    metrics.CLIENT_ERRORS,
    metrics.SERVER_ERRORS,
    metrics.COLD_START,
    metrics.RESTORE,
    metrics.UNHANDLED_ERRORS,
    *STORE_UNAVAILABLE_METRICS.values(),
}
# What a queue batch's line carries (app.background.batch).
WRITTEN_BY_BATCHES = {RECORDS_PROCESSED, RECORDS_FAILED}
DIMENSION_SETS = (
    (metrics.SERVICE, metrics.ENVIRONMENT),
    (metrics.SERVICE, metrics.ENVIRONMENT, metrics.ROUTE),
)
INVOCATION_DIMENSION_SETS = (
    (metrics.SERVICE, metrics.ENVIRONMENT),
    (metrics.SERVICE, metrics.ENVIRONMENT, metrics.INVOCATION),
)
_SEARCH = re.compile(r"SEARCH\('\{([^}]*)\} MetricName=\"(\w+)\"")


def _resources() -> dict[str, Any]:
    template, problems = decode_str(TEMPLATE.read_text())
    assert template is not None, problems
    resources: dict[str, Any] = template["Resources"]
    return resources


def _dashboard() -> dict[str, Any]:
    """The dashboard's body as CloudWatch gets it, for a stack named svc-production."""
    text, _ = _resources()["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    values = {
        "ServiceName": SERVICE,
        "Environment": ENVIRONMENT,
        "FunctionName": FUNCTION,
        "WorkerFunctionName": f"{FUNCTION}-worker",
        "ImportQueue": f"{FUNCTION}-books-import",
        "ImportDeadLetters": f"{FUNCTION}-books-import-dlq",
        "AWS::Region": "eu-west-1",
        "LatencyP99ThresholdMs": "1000",
    }
    body = re.sub(r"\$\{([^}!]+)\}", lambda match: values[match.group(1)], text)
    document: dict[str, Any] = json.loads(body)
    return document


def _widget_metrics() -> dict[str, list[tuple[str, str, tuple[str, ...]]]]:
    """Per widget title: (namespace, metric, dimension keys) of each metric it shows."""
    shown: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
    for widget in _dashboard()["widgets"]:
        properties = widget["properties"]
        found = shown.setdefault(properties["title"], [])
        for entry in properties["metrics"]:
            if isinstance(entry[0], dict):
                searched = _SEARCH.search(entry[0]["expression"])
                assert searched is not None, entry
                namespace, *keys = searched.group(1).split(",")
                found.append((namespace, searched.group(2), tuple(keys)))
                continue
            names = [part for part in entry if isinstance(part, str)]
            namespace, metric, *dimensions = names
            found.append((namespace, metric, tuple(dimensions[0::2])))
            assert (
                dict(zip(dimensions[0::2], dimensions[1::2], strict=True)).get("Service", SERVICE)
                == SERVICE
            )
    return shown


def test_the_dashboard_shows_only_metrics_the_app_writes() -> None:
    for title, shown in _widget_metrics().items():
        for namespace, metric, keys in shown:
            if namespace == "AWS/Lambda":
                assert keys == ("FunctionName",), title
                continue
            if namespace == "AWS/SQS":
                assert keys == ("QueueName",), title
                continue
            assert namespace == SERVICE, title
            if metric in WRITTEN_BY_BATCHES:
                assert keys in INVOCATION_DIMENSION_SETS, f"{title}: {metric} by {keys}"
                continue
            assert metric in WRITTEN, f"{title}: {metric} is not written by the app"
            assert keys in DIMENSION_SETS, f"{title}: {metric} by {keys}"


def test_the_dashboard_has_the_widgets_of_the_design() -> None:
    shown = {metric for widget in _widget_metrics().values() for _, metric, _ in widget}
    assert WRITTEN - {metrics.UNHANDLED_ERRORS} <= shown
    assert {"Throttles", "ConcurrentExecutions"} <= shown
    # The queue's depth, its dead letters and the age of its oldest message
    queue = _widget_metrics()["Books import queue"]
    assert {metric for _, metric, _ in queue} == {
        "ApproximateNumberOfMessagesVisible",
        "ApproximateAgeOfOldestMessage",
    }
    assert shown >= WRITTEN_BY_BATCHES
    latency = _widget_metrics()["Latency p99 per route (ms)"]
    assert (SERVICE, metrics.LATENCY, DIMENSION_SETS[1]) in latency


def _alarms() -> dict[str, dict[str, Any]]:
    return {
        name: resource["Properties"]
        for name, resource in _resources().items()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
    }


def test_each_alarm_on_the_apps_metrics_reads_one_it_writes() -> None:
    own = {
        name: alarm
        for name, alarm in _alarms().items()
        if alarm["Namespace"] == {"Ref": "ServiceName"}
    }
    assert {alarm["MetricName"] for alarm in own.values()} == {
        metrics.SERVER_ERRORS,
        metrics.LATENCY,
        metrics.UNHANDLED_ERRORS,
        *STORE_UNAVAILABLE_METRICS.values(),
    }
    for name, alarm in own.items():
        keys = tuple(dimension["Name"] for dimension in alarm["Dimensions"])
        assert keys == DIMENSION_SETS[0], name


@pytest.mark.parametrize("name", sorted(_alarms()))
def test_every_alarm_notifies_the_topic_when_there_is_one(name: str) -> None:
    alarm = _alarms()[name]
    for actions in ("AlarmActions", "OKActions"):
        assert alarm[actions] == {
            "Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]
        }


def test_the_thresholds_are_parameters() -> None:
    alarms = _alarms()
    for name in (
        "ServerErrorRateAlarm",
        "LatencyP99Alarm",
        "PostgresqlUnavailableAlarm",
        "MongodbUnavailableAlarm",
        "RedisUnavailableAlarm",
        "ThrottlesAlarm",
    ):
        assert "Ref" in alarms[name]["Threshold"], name
