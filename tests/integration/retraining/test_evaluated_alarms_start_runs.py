"""Alarms raised by the local evaluation (never set by hand) start the runs, as CloudWatch's
state-change events do in AWS; the notification's trigger is the alarm's own StateReason."""

from datetime import timedelta

from sklambda import aws
from sklambda_local.api_metrics import api_gateway_metrics, api_name
from sklambda_local.clock import LocalClock
from sklambda_local.cloud import LocalCloud
from sklambda_local.demo_retrain import trigger_reason
from sklambda_local.executions import wait_for_execution
from sklambda_local.provision import provision_alarms
from tests.integration.retraining.conftest import Loop, as_csv, shuffled_labels


def _cloud(loop: Loop, clock: LocalClock) -> LocalCloud:
    return LocalCloud(loop.stack, clock, loop.eventbridge, loop.invocations, aws.client, {})


def _state(loop: Loop, logical_id: str) -> dict:
    name = loop.stack.name_of(logical_id)
    (alarm,) = aws.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    return alarm


def _max_psi(loop: Loop, clock: LocalClock, value: float) -> None:
    aws.client("cloudwatch").put_metric_data(
        Namespace="Sklambda",
        MetricData=[
            {
                "MetricName": "MaxPSI",
                "Dimensions": [{"Name": "ModelName", "Value": loop.stack.parameter("ModelName")}],
                "Timestamp": clock.now(),
                "Value": value,
            }
        ],
    )


def _only_execution(loop: Loop, rule: str) -> dict:
    (delivery,) = loop.eventbridge.delivered_to(rule)
    return wait_for_execution(loop.sfn, str(delivery.result), 60)


def test_a_drift_alarm_raised_by_evaluation_retrains_and_names_its_real_reason(
    loop: Loop, breast_cancer
):
    loop.publish_champion(shuffled_labels(breast_cancer))
    loop.seed_training(as_csv(breast_cancer))
    clock = LocalClock()
    cloud = _cloud(loop, clock)
    period = int(loop.stack.parameter("DriftAlarmPeriodSeconds"))

    # One breaching drift run is not enough for the template's 2 of 3
    _max_psi(loop, clock, 0.6)
    assert cloud.evaluate_alarms()["DriftAlarm"].state == "OK"
    assert loop.eventbridge.deliveries == []

    # A second one, a period later, raises the alarm and its state change starts the run
    clock.advance(period)
    _max_psi(loop, clock, 0.4)
    assert cloud.evaluate_alarms()["DriftAlarm"].state == "ALARM"
    execution = _only_execution(loop, "RetrainStateMachine.DriftOrPerformanceAlarm")

    assert execution["status"] == "SUCCEEDED", execution
    alarm = _state(loop, "DriftAlarm")
    assert alarm["StateValue"] == "ALARM"
    assert "2 of 3 periods breached" in alarm["StateReason"]
    (notice,) = loop.notifications()
    assert trigger_reason(notice["Message"]) == alarm["StateReason"]

    # Provisioning again (as the template's update would) keeps what evaluation raised
    provision_alarms(loop.stack, aws.client("cloudwatch"))
    assert _state(loop, "DriftAlarm")["StateValue"] == "ALARM"


def test_failing_answers_from_the_api_raise_the_error_alarm_and_roll_back(
    loop: Loop, breast_cancer
):
    weak = loop.publish_champion(shuffled_labels(breast_cancer))
    loop.seed_training(as_csv(breast_cancer))
    loop.run("alarm_drift_state_change")
    promoted = loop.champion()
    loop.notifications()
    clock = LocalClock()
    cloud = _cloud(loop, clock)
    answered = api_gateway_metrics(
        lambda: aws.client("cloudwatch"), api_name(loop.stack), loop.stack.parameter("Stage"), clock
    )

    states = []
    for _minute in range(3):
        for _ in range(4):
            answered(500, 12.0)
        answered(200, 9.0)
        states.append(cloud.evaluate_alarms()["PredictErrorRateAlarm"].state)
        clock.advance(timedelta(minutes=1).total_seconds())

    assert states == ["OK", "OK", "ALARM"]
    execution = _only_execution(loop, "RollbackStateMachine.PredictServingAlarm")
    assert execution["status"] == "SUCCEEDED", execution
    assert loop.champion() == weak != promoted
    (notice,) = loop.notifications()
    alarm = _state(loop, "PredictErrorRateAlarm")
    assert trigger_reason(notice["Message"]) == alarm["StateReason"]
