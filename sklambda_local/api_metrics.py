"""The metrics API Gateway publishes for each request, for the local API.

In AWS, API Gateway (not the function) counts requests, 4xx and 5xx answers and latency
under AWS/ApiGateway with the ApiName and Stage dimensions; the serving alarms and the
rollback watch read them. The local API reports each answer here so the same alarms see
the same data, stamped on the local clock.
"""

from collections.abc import Callable
from typing import Any

from sklambda_local.clock import REAL_TIME, LocalClock
from sklambda_local.template import LocalStack

NAMESPACE = "AWS/ApiGateway"
ResponseListener = Callable[[int, float], None]


def api_name(stack: LocalStack, logical_id: str = "PredictApi") -> str:
    return str(stack.resolve(stack.template["Resources"][logical_id]["Properties"]["Name"]))


def api_gateway_metrics(
    cloudwatch_client: Callable[[], Any], name: str, stage: str, clock: LocalClock = REAL_TIME
) -> ResponseListener:
    """A listener for (status code, latency in ms) that publishes what API Gateway would."""
    dimensions = [{"Name": "ApiName", "Value": name}, {"Name": "Stage", "Value": stage}]

    def record(status: int, latency_ms: float) -> None:
        moment = clock.now()
        values = {
            "Count": 1.0,
            "4XXError": float(400 <= status < 500),
            "5XXError": float(status >= 500),
            "Latency": latency_ms,
        }
        cloudwatch_client().put_metric_data(
            Namespace=NAMESPACE,
            MetricData=[
                {
                    "MetricName": metric,
                    "Dimensions": dimensions,
                    "Timestamp": moment,
                    "Value": value,
                    "Unit": "Milliseconds" if metric == "Latency" else "Count",
                }
                for metric, value in values.items()
            ],
        )

    return record
