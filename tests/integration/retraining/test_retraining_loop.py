"""The real ASL files on moto's interpreter, each Lambda task running the project's handler."""

import contextlib
import json
import threading

import pytest

from sklambda_local.executions import entered_states, wait_for_execution
from tests.integration.retraining.conftest import Loop, as_csv, as_examples, shuffled_labels

HAPPY_PATH = ["Guard", "LockAcquired?", "Train", "Evaluate", "Promote?"]


def test_a_drift_alarm_retrains_and_promotes_a_better_candidate(loop: Loop, breast_cancer):
    # Given a champion that learned nothing, and the real data in training/
    weak = loop.publish_champion(shuffled_labels(breast_cancer))
    loop.seed_training(as_csv(breast_cancer))

    # When the drift alarm's state-change event reaches EventBridge
    execution = loop.run("alarm_drift_state_change")

    # Then the candidate is promoted, the weak champion kept as previous for rollback
    assert execution["status"] == "SUCCEEDED", execution
    assert entered_states(loop.sfn, execution["executionArn"]) == [
        *HAPPY_PATH,
        "Promote",
        "MarkPromoted",
        "Report",
        "Notify?",
        "Notify",
        "Finished",
    ]
    state = loop.registry.alias()
    assert state is not None
    assert state.pointer.version != weak
    assert state.pointer.previous == weak
    record = loop.run_record(execution)
    assert record["outcome"] == "promoted"
    assert record["trigger"]["kind"] == "drift"
    assert record["candidate_score"] > record["champion_score"] + 0.2
    (notice,) = loop.notifications()
    assert notice["Subject"].startswith(f"sklambda retraining: promoted {state.pointer.version}")
    assert "roc_auc" in notice["Message"]


def test_a_worse_candidate_is_rejected_and_the_champion_stays(loop: Loop, breast_cancer):
    # Given a good champion, corrupted labels in training/, and correct fresh labels
    champion = loop.publish_champion(breast_cancer)
    loop.seed_training(as_csv(shuffled_labels(breast_cancer)))
    loop.seed_labelled(as_examples(breast_cancer, slice(0, 200)))

    execution = loop.run("alarm_drift_state_change")

    assert execution["status"] == "SUCCEEDED", execution
    assert "Promote" not in entered_states(loop.sfn, execution["executionArn"])
    assert loop.champion() == champion
    record = loop.run_record(execution)
    assert record["outcome"] == "rejected"
    assert record["holdout"] == "labelled, 60 rows"
    assert any("worse than the champion" in reason for reason in record["reasons"])
    candidate = record["candidate"]
    assert candidate in loop.registry.version_ids()  # registered, never serving
    (notice,) = loop.notifications()
    assert f"candidate {candidate} rejected" in notice["Subject"]


def test_a_training_failure_fails_the_run_notifies_and_leaves_the_champion(
    loop: Loop, breast_cancer
):
    champion = loop.publish_champion(breast_cancer)
    loop.seed_training(b"mean radius,mean texture\n1.0,2.0\n")  # no target column

    execution = loop.run("alarm_drift_state_change")

    assert execution["status"] == "FAILED"
    assert execution["error"] == "RetrainingFailed"
    path = entered_states(loop.sfn, execution["executionArn"])
    assert path[-4:] == ["MarkFailed", "ReportFailure", "NotifyFailure", "RunFailed"]
    assert "Evaluate" not in path
    assert loop.champion() == champion
    assert loop.registry.version_ids() == [champion]
    record = loop.run_record(execution)
    assert record["outcome"] == "failed"
    assert "TrainingDataError" in record["error"]
    (notice,) = loop.notifications()
    assert "FAILED" in notice["Subject"]
    assert "no target column 'target'" in notice["Message"]


def test_a_second_trigger_during_a_run_is_refused_by_the_guard(
    loop: Loop, breast_cancer, monkeypatch
):
    import retrain_handler.handlers.train as train_module
    from sklambda_local import function_logs

    # The bridge runs one handler at a time to keep their output apart; this test holds one
    # open while another runs (the nesting is last-in first-out, so output still lands right).
    monkeypatch.setattr(function_logs, "_lock", contextlib.nullcontext())
    champion = loop.publish_champion(shuffled_labels(breast_cancer))
    loop.seed_training(as_csv(breast_cancer))
    training_started, second_run_done = threading.Event(), threading.Event()
    real_handler = train_module.lambda_handler

    def held_training(event, context):
        training_started.set()
        assert second_run_done.wait(30), "the second run did not finish"
        return real_handler(event, context)

    monkeypatch.setattr(train_module, "lambda_handler", held_training)
    (first,) = loop.deliver("alarm_drift_state_change")
    assert training_started.wait(30)

    # While the first run trains, the alarm fires again
    (second,) = loop.deliver("alarm_drift_state_change")
    refused = wait_for_execution(loop.sfn, second)
    second_run_done.set()

    assert refused["status"] == "SUCCEEDED"
    assert entered_states(loop.sfn, second) == [
        "Guard",
        "LockAcquired?",
        "MarkRefused",
        "Report",
        "Notify?",
        "Refused",
    ]
    guard = json.loads(refused["output"])["guard"]
    assert guard["status"] == "running"
    assert first.rsplit(":", 1)[1] in guard["message"]
    assert loop.run_record(refused)["outcome"] == "refused"
    finished = wait_for_execution(loop.sfn, first)
    assert finished["status"] == "SUCCEEDED"
    assert loop.champion() != champion
    assert len(loop.invocations.of("TrainFunction")) == 1

    # And once it has finished, the cool-down still refuses a new trigger
    (third,) = loop.deliver("alarm_drift_state_change")
    cooling = json.loads(wait_for_execution(loop.sfn, third)["output"])["guard"]
    assert cooling["status"] == "cooling_down"
    assert [notice["Subject"].split(":")[0] for notice in loop.notifications()] == [
        "sklambda retraining"
    ]


def test_an_error_alarm_after_a_promotion_rolls_the_champion_back(loop: Loop, breast_cancer):
    weak = loop.publish_champion(shuffled_labels(breast_cancer))
    loop.seed_training(as_csv(breast_cancer))
    assert loop.run("alarm_drift_state_change")["status"] == "SUCCEEDED"
    promoted = loop.champion()
    assert promoted != weak
    loop.notifications()

    # When the predict error alarm fires within the watch window
    execution = loop.run("alarm_predict_errors_state_change")

    assert execution["status"] == "SUCCEEDED", execution
    assert entered_states(loop.sfn, execution["executionArn"])[-2:] == [
        "NotifyRollback",
        "RolledBack",
    ]
    state = loop.registry.alias()
    assert state is not None
    assert (state.pointer.version, state.pointer.previous) == (weak, promoted)
    assert loop.run_record(execution)["outcome"] == "rolled_back"
    (notice,) = loop.notifications()
    assert notice["Subject"] == f"sklambda rollback: ROLLED BACK {promoted} -> {weak}"

    # A second firing of the alarm does not swap the pair back
    again = loop.run("alarm_predict_errors_state_change")
    assert entered_states(loop.sfn, again["executionArn"])[-1] == "NothingToRollBack"
    assert loop.champion() == weak


def test_an_error_alarm_without_an_automatic_promotion_changes_nothing(loop: Loop, breast_cancer):
    champion = loop.publish_champion(breast_cancer)

    execution = loop.run("alarm_predict_errors_state_change")

    assert execution["status"] == "SUCCEEDED"
    assert loop.champion() == champion
    record = loop.run_record(execution)
    assert record["outcome"] == "not_rolled_back"
    assert record["reasons"] == ["no automatic promotion is being watched"]
    assert loop.notifications() == []


@pytest.mark.parametrize("event_name", ["alarm_drift_back_to_ok"])
def test_an_alarm_returning_to_ok_starts_nothing(loop: Loop, event_name):
    assert loop.deliver(event_name) == []
