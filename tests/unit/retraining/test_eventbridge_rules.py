"""The rules template.yaml declares, matched against the real events kept in events/."""

import json

from sklambda_local.eventbridge import matches, rules_from_template
from tests.conftest import EVENTS


def _event(name: str) -> dict:
    return json.loads((EVENTS / f"{name}.json").read_text())


def _rule(stack, name: str):
    (rule,) = [rule for rule in rules_from_template(stack) if rule.name == name]
    return rule


def test_the_retraining_rule_takes_a_drift_alarm_entering_alarm(stack):
    rule = _rule(stack, "RetrainStateMachine.DriftOrPerformanceAlarm")
    assert rule.target_arn == stack.arn_of("RetrainStateMachine")
    assert matches(rule.pattern, _event("alarm_drift_state_change"))


def test_the_retraining_rule_ignores_the_same_alarm_returning_to_ok(stack):
    rule = _rule(stack, "RetrainStateMachine.DriftOrPerformanceAlarm")
    assert not matches(rule.pattern, _event("alarm_drift_back_to_ok"))


def test_the_retraining_rule_ignores_serving_alarms_and_the_rollback_rule_takes_them(stack):
    retrain = _rule(stack, "RetrainStateMachine.DriftOrPerformanceAlarm")
    rollback = _rule(stack, "RollbackStateMachine.PredictServingAlarm")
    serving = _event("alarm_predict_errors_state_change")
    assert not matches(retrain.pattern, serving)
    assert matches(rollback.pattern, serving)
    assert not matches(rollback.pattern, _event("alarm_drift_state_change"))


def test_the_rules_name_the_alarms_by_their_template_ids(stack):
    retrain = _rule(stack, "RetrainStateMachine.DriftOrPerformanceAlarm")
    rollback = _rule(stack, "RollbackStateMachine.PredictServingAlarm")
    assert retrain.pattern["resources"] == [
        stack.arn_of("DriftAlarm"),
        stack.arn_of("PerformanceAlarm"),
    ]
    assert rollback.pattern["resources"] == [
        stack.arn_of("PredictErrorRateAlarm"),
        stack.arn_of("PredictLatencyP99Alarm"),
    ]


def test_array_fields_in_an_event_match_when_any_element_is_allowed():
    assert matches({"resources": ["b"]}, {"resources": ["a", "b"]})
    assert not matches({"resources": ["c"]}, {"resources": ["a", "b"]})
    assert not matches({"detail": {"state": {"value": ["ALARM"]}}}, {"detail": {}})


def test_content_filters_are_evaluated_as_eventbridge_does(stack):
    batch = _rule(stack, "BatchScoreFunction.ObjectCreated")
    labels = _rule(stack, "GroundTruthFunction.LabelsUploaded")
    upload = _event("batch_object_created")
    assert batch.target_type == "AWS::Serverless::Function"
    assert batch.matches(upload)
    assert not labels.matches(upload)
    elsewhere = json.loads(json.dumps(upload))
    elsewhere["detail"]["object"]["key"] = "scored/" + upload["detail"]["object"]["key"]
    assert not batch.matches(elsewhere)
    assert matches({"detail": {"size": [{"numeric": [">", 10]}]}}, {"detail": {"size": 11}})
    assert matches({"detail": {"x": [{"exists": False}]}}, {"detail": {}})
