"""EMF lines a function prints become metric data in the embedded CloudWatch.

In AWS, CloudWatch Logs extracts metrics from EMF log lines; moto has no such step, so this
listener (registered with function_logs) does it with put_metric_data, one call per
dimension set, as CloudWatch would.
"""

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sklambda_local.clock import REAL_TIME, LocalClock

_MAX_DATA_PER_CALL = 1000


def metric_data_from_emf(line: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(namespace, MetricDatum) pairs for one EMF line; nothing for any other line."""
    if not line.startswith("{") or '"_aws"' not in line:
        return
    try:
        blob = json.loads(line)
    except json.JSONDecodeError:
        return
    metadata = blob.get("_aws", {})
    timestamp = datetime.fromtimestamp(metadata.get("Timestamp", 0) / 1000, UTC)
    for directive in metadata.get("CloudWatchMetrics", []):
        for dimension_set in directive.get("Dimensions", [[]]):
            dimensions = [{"Name": name, "Value": str(blob[name])} for name in dimension_set]
            for metric in directive.get("Metrics", []):
                values = blob.get(metric["Name"])
                if values is None:
                    continue
                datum: dict[str, Any] = {
                    "MetricName": metric["Name"],
                    "Dimensions": dimensions,
                    "Timestamp": timestamp,
                    "Values": [
                        float(v) for v in (values if isinstance(values, list) else [values])
                    ],
                }
                if metric.get("Unit"):
                    datum["Unit"] = metric["Unit"]
                yield directive["Namespace"], datum


def emf_to_cloudwatch(
    cloudwatch_client: Callable[[], Any], clock: LocalClock = REAL_TIME
) -> Callable[[str, str], None]:
    """A function_logs listener; the client is looked up per line so tests can swap it.

    Timestamps move onto the local clock's timeline, where the alarm evaluator reads them.
    """

    def listen(_function_name: str, line: str) -> None:
        by_namespace: dict[str, list[dict[str, Any]]] = {}
        for namespace, datum in metric_data_from_emf(line):
            datum["Timestamp"] = clock.local(datum["Timestamp"])
            by_namespace.setdefault(namespace, []).append(datum)
        for namespace, data in by_namespace.items():
            for start in range(0, len(data), _MAX_DATA_PER_CALL):
                cloudwatch_client().put_metric_data(
                    Namespace=namespace, MetricData=data[start : start + _MAX_DATA_PER_CALL]
                )

    return listen
