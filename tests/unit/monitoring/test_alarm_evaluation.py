"""The local evaluator applies each alarm exactly as template.yaml defines it."""

from datetime import UTC, datetime, timedelta

import pytest

from sklambda_local.alarms import AlarmDefinition, evaluate
from sklambda_local.template import LocalStack

# A moment a few minutes into an hour, so hourly periods are easy to reason about.
NOW = datetime(2030, 1, 1, 12, 5, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _alarm(logical_id: str, **overrides: str) -> AlarmDefinition:
    return AlarmDefinition.from_template(LocalStack(parameter_overrides=overrides), logical_id)


def test_the_drift_alarm_reads_its_settings_from_the_template():
    alarm = _alarm("DriftAlarm")
    assert (alarm.metric_name, alarm.statistic, alarm.period) == ("MaxPSI", "Maximum", 3600)
    assert (alarm.datapoints_to_alarm, alarm.evaluation_periods) == (2, 3)
    assert alarm.threshold == 0.2
    assert alarm.treat_missing_data == "notBreaching"
    assert alarm.dimensions == {"ModelName": "sklambda-model"}


def test_drift_alarms_on_two_breaching_runs_out_of_three_not_on_one():
    alarm = _alarm("DriftAlarm")
    one_breach = [(NOW - 2 * HOUR, 0.05), (NOW - HOUR, 0.31), (NOW, 0.1)]
    two_breaches = [(NOW - 2 * HOUR, 0.25), (NOW - HOUR, 0.1), (NOW, 0.4)]
    assert evaluate(alarm, one_breach, NOW).state == "OK"
    result = evaluate(alarm, two_breaches, NOW)
    assert result.state == "ALARM"
    assert result.period_values == [0.25, 0.1, 0.4]


def test_the_maximum_of_several_runs_in_one_period_is_what_counts():
    alarm = _alarm("DriftAlarm", DriftAlarmDatapointsToAlarm="1")
    result = evaluate(alarm, [(NOW, 0.05), (NOW - timedelta(minutes=4), 0.21)], NOW)
    assert result.period_values[-1] == 0.21
    assert result.state == "ALARM"


def test_missing_drift_data_is_not_a_breach():
    # Given runs below the minimum sample size, which publish no MaxPSI at all
    alarm = _alarm("DriftAlarm")
    # Then the alarm stays OK, never a false alarm
    assert evaluate(alarm, [], NOW).state == "OK"
    assert evaluate(alarm, [(NOW, 0.9)], NOW).state == "OK"


@pytest.mark.parametrize(
    ("treatment", "datapoints", "expected"),
    [
        ("missing", [], "INSUFFICIENT_DATA"),
        ("ignore", [], "ALARM"),
        ("breaching", [(NOW, 0.9)], "ALARM"),
        ("notBreaching", [(NOW, 0.9)], "OK"),
    ],
)
def test_each_missing_data_treatment(treatment, datapoints, expected):
    alarm = _alarm("DriftAlarm")
    changed = AlarmDefinition(**{**alarm.__dict__, "treat_missing_data": treatment})
    assert evaluate(changed, datapoints, NOW, current_state="ALARM").state == expected


def test_latency_alarm_uses_the_p99_of_each_period():
    alarm = _alarm("PredictLatencyP99Alarm")
    assert alarm.statistic == "p99"
    fast = [(NOW - timedelta(seconds=s), 40.0) for s in range(200)]
    slow_tail = [(NOW - timedelta(seconds=s), 2500.0) for s in range(5)]
    assert evaluate(alarm, fast, NOW).state == "OK"
    period_start = NOW.replace(minute=5, second=0)
    slow = [(period_start - timedelta(minutes=5) + timedelta(seconds=s), 2500.0) for s in range(5)]
    result = evaluate(alarm, fast + slow_tail + slow, NOW)
    assert result.state == "ALARM", result.reason


def test_performance_alarm_direction_follows_the_metric():
    accuracy = _alarm("PerformanceAlarm")
    rmse = _alarm("PerformanceAlarm", PerformanceMetricName="RMSE", PerformanceAlarmThreshold="5")
    assert evaluate(accuracy, [(NOW, 0.7)], NOW).state == "ALARM"
    assert evaluate(accuracy, [(NOW, 0.95)], NOW).state == "OK"
    assert rmse.comparison == "GreaterThanThreshold"
    assert evaluate(rmse, [(NOW, 7.0)], NOW).state == "ALARM"
