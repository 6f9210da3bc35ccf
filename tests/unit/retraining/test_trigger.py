"""What started a run is validated at the edge: alarms by name and state, requests by shape."""

import json

import pytest

from sklambda.errors import InvalidTriggerError
from sklambda.retraining.trigger import TriggerKind, parse_trigger, retraining_request
from tests.conftest import EVENTS

NAMES = {
    "drift_alarms": frozenset({"sklambda-local-driftalarm"}),
    "performance_alarms": frozenset({"perf"}),
}


def _event(name: str) -> dict:
    return json.loads((EVENTS / f"{name}.json").read_text())


def test_a_drift_alarm_is_a_drift_trigger_with_the_alarm_reason():
    trigger = parse_trigger(_event("alarm_drift_state_change"), **NAMES)
    assert trigger.kind is TriggerKind.DRIFT
    assert trigger.source == "sklambda-local-driftalarm"
    assert trigger.reason.startswith("Threshold Crossed")


def test_the_performance_alarm_is_a_performance_trigger():
    event = _event("alarm_drift_state_change")
    event["detail"]["alarmName"] = "perf"
    assert parse_trigger(event, **NAMES).kind is TriggerKind.PERFORMANCE


def test_a_request_from_the_cli_is_a_manual_trigger():
    trigger = parse_trigger(retraining_request("labels arrived", "ops", "us-east-1"), **NAMES)
    assert (trigger.kind, trigger.source, trigger.reason) == (
        TriggerKind.MANUAL,
        "ops",
        "labels arrived",
    )
    assert parse_trigger(_event("retraining_requested"), **NAMES).kind is TriggerKind.MANUAL


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda e: e["detail"]["state"].update(value="OK"), "moved to OK, not ALARM"),
        (
            lambda e: e["detail"].update(alarmName="other"),
            "neither a drift nor a performance alarm",
        ),
        (lambda e: e.update({"detail-type": "Object Created"}), "not 'Object Created'"),
        (lambda e: e["detail"].pop("state"), "detail.state"),
    ],
)
def test_anything_else_is_refused_with_a_reason(mutate, message):
    event = _event("alarm_drift_state_change")
    mutate(event)
    with pytest.raises(InvalidTriggerError, match=message):
        parse_trigger(event, **NAMES)
