"""Evaluates the template's CloudWatch alarms over the metric data in the embedded CloudWatch.

moto stores alarms and metric data but never evaluates an alarm. This does what CloudWatch
does, for the features the template uses: one metric with a statistic or percentile per
period, "N of M" periods (DatapointsToAlarm of EvaluationPeriods), a comparison with a
threshold, and the four missing-data treatments; then it sets the state in moto. It is the
only local code that sets an alarm state.
"""

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from sklambda_local.template import LOCAL_ACCOUNT, LOCAL_REGION, LocalStack

ALARM_TYPE = "AWS::CloudWatch::Alarm"
Datapoint = tuple[datetime, float]
MetricSource = Callable[[str, str, dict[str, str]], list[Datapoint]]
_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": lambda value, threshold: value > threshold,
    "GreaterThanOrEqualToThreshold": lambda value, threshold: value >= threshold,
    "LessThanThreshold": lambda value, threshold: value < threshold,
    "LessThanOrEqualToThreshold": lambda value, threshold: value <= threshold,
}


@dataclass(frozen=True)
class AlarmDefinition:
    logical_id: str
    name: str
    namespace: str
    metric_name: str
    dimensions: dict[str, str]
    statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: str
    treat_missing_data: str

    @classmethod
    def from_template(cls, stack: LocalStack, logical_id: str) -> "AlarmDefinition":
        props = stack.properties(logical_id)
        if "Metrics" in props:
            raise NotImplementedError(f"{logical_id}: metric math is not evaluated locally")
        evaluation_periods = int(props["EvaluationPeriods"])
        return cls(
            logical_id=logical_id,
            name=stack.name_of(logical_id),
            namespace=props["Namespace"],
            metric_name=props["MetricName"],
            dimensions={item["Name"]: str(item["Value"]) for item in props.get("Dimensions", [])},
            statistic=props.get("ExtendedStatistic") or props["Statistic"],
            period=int(props["Period"]),
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=int(props.get("DatapointsToAlarm", evaluation_periods)),
            threshold=float(props["Threshold"]),
            comparison=props["ComparisonOperator"],
            treat_missing_data=props.get("TreatMissingData", "missing"),
        )


@dataclass(frozen=True)
class Evaluation:
    state: str
    reason: str
    period_values: list[float | None]


def aggregate(statistic: str, values: Sequence[float]) -> float:
    data = np.asarray(values, dtype=np.float64)
    if statistic.startswith("p"):
        return float(np.percentile(data, float(statistic[1:]), method="inverted_cdf"))
    by_name: dict[str, Callable[[np.ndarray], Any]] = {
        "SampleCount": len,
        "Sum": np.sum,
        "Average": np.mean,
        "Minimum": np.min,
        "Maximum": np.max,
    }
    return float(by_name[statistic](data))


def period_values(
    alarm: AlarmDefinition, datapoints: Sequence[Datapoint], now: datetime
) -> list[float | None]:
    """One value per evaluated period, oldest first; periods align to multiples of Period."""
    period = alarm.period
    current_start = math.floor(now.timestamp() / period) * period
    starts = [current_start - period * back for back in reversed(range(alarm.evaluation_periods))]
    values: list[float | None] = []
    for start in starts:
        inside = [
            value for moment, value in datapoints if start <= moment.timestamp() < start + period
        ]
        values.append(aggregate(alarm.statistic, inside) if inside else None)
    return values


def evaluate(
    alarm: AlarmDefinition,
    datapoints: Sequence[Datapoint],
    now: datetime,
    current_state: str = "INSUFFICIENT_DATA",
) -> Evaluation:
    values = period_values(alarm, datapoints, now)
    compare = _COMPARISONS[alarm.comparison]
    present = [value for value in values if value is not None]
    missing = len(values) - len(present)
    breaching = sum(1 for value in present if compare(value, alarm.threshold))
    treatment = alarm.treat_missing_data
    if not present and treatment in {"missing", "ignore"}:
        state = "INSUFFICIENT_DATA" if treatment == "missing" else current_state
    else:
        if treatment == "breaching":
            breaching += missing
        state = "ALARM" if breaching >= alarm.datapoints_to_alarm else "OK"
    shown = ", ".join("missing" if value is None else f"{value:.4g}" for value in values)
    reason = (
        f"{breaching} of {alarm.evaluation_periods} periods breached "
        f"{alarm.comparison} {alarm.threshold:g} ({alarm.datapoints_to_alarm} needed); "
        f"{alarm.statistic} per {alarm.period}s period: [{shown}]"
    )
    return Evaluation(state, reason, values)


def moto_datapoints(
    namespace: str, metric_name: str, dimensions: dict[str, str]
) -> list[Datapoint]:
    """Raw values published to the embedded CloudWatch, matched on the exact dimension set."""
    from moto.cloudwatch.models import MetricDatum, cloudwatch_backends

    backend = cloudwatch_backends[LOCAL_ACCOUNT][LOCAL_REGION]
    wanted = sorted(dimensions.items())
    found = []
    for datum in backend.metric_data:
        if not isinstance(datum, MetricDatum):
            continue
        if datum.namespace != namespace or datum.name != metric_name:
            continue
        if sorted((d.name, d.value) for d in datum.dimensions) != wanted:
            continue
        moment = datum.timestamp if datum.timestamp.tzinfo else datum.timestamp.replace(tzinfo=UTC)
        found.append((moment, float(datum.value)))
    return found


AlarmChange = Callable[[dict[str, Any], str], None]


def evaluate_alarms(
    stack: LocalStack,
    cloudwatch: Any,
    *,
    now: datetime | None = None,
    source: MetricSource = moto_datapoints,
    on_change: AlarmChange | None = None,
) -> dict[str, Evaluation]:
    """Evaluate every alarm of the template and set its state in the embedded CloudWatch.

    As in CloudWatch, only a change of state is recorded (with its reason); ``on_change``
    hears the alarm as described after the change and the state it left, which is what
    CloudWatch puts on the event bus as an "Alarm State Change".
    """
    moment = now or datetime.now(UTC)
    results = {}
    for logical_id, resource in stack.resources.items():
        if resource["Type"] != ALARM_TYPE:
            continue
        alarm = AlarmDefinition.from_template(stack, logical_id)
        described = cloudwatch.describe_alarms(AlarmNames=[alarm.name])["MetricAlarms"]
        current = described[0]["StateValue"] if described else "INSUFFICIENT_DATA"
        datapoints = source(alarm.namespace, alarm.metric_name, alarm.dimensions)
        result = evaluate(alarm, datapoints, moment, current)
        results[logical_id] = result
        if result.state == current:
            continue
        cloudwatch.set_alarm_state(
            AlarmName=alarm.name,
            StateValue=result.state,
            StateReason=result.reason[:1023],
            StateReasonData=json.dumps({"values": result.period_values}),
        )
        if on_change is not None:
            (changed,) = cloudwatch.describe_alarms(AlarmNames=[alarm.name])["MetricAlarms"]
            on_change(changed, current)
    return results
