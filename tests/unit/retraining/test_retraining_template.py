"""template.yaml and the ASL files: least privilege, retries, and the numbers that must agree."""

import json

import pytest

from drift_handler.settings import GroundTruthSettings
from retrain_handler.settings import TrainSettings
from sklambda.storage.keys import (
    HOLDOUTS_PREFIX,
    PROMOTION_WATCH_KEY,
    RETRAINING_LOCK_KEY,
    RETRAINING_RUNS_PREFIX,
)
from sklambda_local.provision import state_machine_definition
from sklambda_local.template import PROJECT_ROOT
from tests.unit.s3_grants import grants, model_keys, under

LOOP_FUNCTIONS = [
    "GuardFunction",
    "TrainFunction",
    "EvaluateFunction",
    "PromoteFunction",
    "ReportFunction",
    "RollbackFunction",
]
TRANSIENT = {
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
}


@pytest.mark.parametrize("function", LOOP_FUNCTIONS)
def test_only_promote_and_rollback_can_move_the_champion(stack, function):
    keys = model_keys(stack, function)
    written = grants(stack, function).get("s3:PutObject", set())
    moves_alias = any(resource.startswith(keys.aliases_prefix) for resource in written)
    assert moves_alias is (function in {"PromoteFunction", "RollbackFunction"})


def test_training_reads_its_data_and_writes_new_versions_and_its_holdout_only(stack):
    keys = model_keys(stack, "TrainFunction", TrainSettings)
    training = TrainSettings.from_environment(
        stack.function_environment("TrainFunction")
    ).training_prefix
    allowed = grants(stack, "TrainFunction")
    read = under(training, keys.labelled_root, keys.model_root)
    assert allowed["s3:GetObject"] == read
    assert allowed["s3:ListBucket"] == read
    assert allowed["s3:PutObject"] == under(keys.versions_prefix, HOLDOUTS_PREFIX)


def test_training_reads_the_labelled_rows_ground_truth_writes(stack):
    assert (
        model_keys(stack, "TrainFunction", TrainSettings).labelled_root
        == model_keys(stack, "GroundTruthFunction", GroundTruthSettings).labelled_root
    )


def _loop_grants(stack, keys) -> dict[str, dict[str, set[str]]]:
    """What each function of the loop reads and writes, in the keys the code uses."""
    return {
        "GuardFunction": {
            "s3:GetObject": {RETRAINING_LOCK_KEY},
            "s3:PutObject": {RETRAINING_LOCK_KEY},
        },
        "EvaluateFunction": {"s3:GetObject": under(keys.model_root, HOLDOUTS_PREFIX)},
        "PromoteFunction": {
            "s3:GetObject": under(keys.model_root),
            "s3:PutObject": under(keys.aliases_prefix) | {PROMOTION_WATCH_KEY},
        },
        "ReportFunction": {
            "s3:GetObject": under(keys.aliases_prefix) | {RETRAINING_LOCK_KEY},
            "s3:PutObject": under(RETRAINING_RUNS_PREFIX) | {RETRAINING_LOCK_KEY},
        },
        "RollbackFunction": {
            "s3:GetObject": under(keys.model_root) | {PROMOTION_WATCH_KEY},
            "s3:PutObject": under(keys.aliases_prefix, RETRAINING_RUNS_PREFIX)
            | {PROMOTION_WATCH_KEY},
        },
    }


@pytest.mark.parametrize(
    "function",
    ["GuardFunction", "EvaluateFunction", "PromoteFunction", "ReportFunction", "RollbackFunction"],
)
def test_each_loop_function_reaches_exactly_the_keys_it_uses(stack, function):
    keys = model_keys(stack, function)
    allowed = grants(stack, function)
    for action, expected in _loop_grants(stack, keys)[function].items():
        assert allowed[action] == expected, action
    assert "s3:DeleteObject" not in allowed


@pytest.mark.parametrize("machine", ["RetrainStateMachine", "RollbackStateMachine"])
def test_every_task_retries_transient_errors_and_catches_the_rest(stack, machine):
    definition = json.loads(state_machine_definition(stack, machine))
    tasks = {name: state for name, state in definition["States"].items() if state["Type"] == "Task"}
    lambda_tasks = {name: state for name, state in tasks.items() if ":lambda:" in state["Resource"]}
    assert lambda_tasks
    for name, state in tasks.items():
        retried = {error for retry in state.get("Retry", []) for error in retry["ErrorEquals"]}
        assert retried, f"{name} has no Retry"
        if name in lambda_tasks:
            assert retried >= TRANSIENT, name
            assert state["Catch"][0]["ErrorEquals"] == ["States.ALL"], name


def test_the_tasks_call_each_function_through_its_live_alias(stack):
    definition = json.loads(state_machine_definition(stack, "RetrainStateMachine"))
    assert definition["States"]["Train"]["Resource"] == f"{stack.arn_of('TrainFunction')}:live"


def test_a_dead_runs_lock_expires_when_the_state_machine_times_out(stack):
    definition = json.loads((PROJECT_ROOT / "statemachine/retrain.asl.json").read_text())
    for function in ("GuardFunction", "ReportFunction"):
        timeout = stack.function_environment(function)["RETRAIN_TIMEOUT_SECONDS"]
        assert int(timeout) == definition["TimeoutSeconds"]


def test_notifications_are_encrypted_with_a_rotated_key(stack):
    assert stack.properties("NotificationTopic")["KmsMasterKeyId"] == stack.name_of(
        "NotificationKey"
    )
    assert stack.properties("NotificationKey")["EnableKeyRotation"] is True


def test_deployments_go_through_the_live_alias_with_the_serving_alarms_as_rollback_triggers(stack):
    globals_ = stack.template["Globals"]["Function"]
    assert globals_["AutoPublishAlias"] == "live"
    preference = stack.resolve(globals_["DeploymentPreference"])
    assert preference["Type"] == "AllAtOnce"
    assert preference["Alarms"] == [
        stack.name_of("PredictErrorRateAlarm"),
        stack.name_of("PredictLatencyP99Alarm"),
    ]


def test_samconfig_deploys_prod_as_a_canary_and_dev_all_at_once():
    import tomllib

    config = tomllib.loads((PROJECT_ROOT / "samconfig.toml").read_text())
    assert (
        "DeploymentType=Canary10Percent5Minutes"
        in config["prod"]["deploy"]["parameters"]["parameter_overrides"]
    )
    assert (
        "DeploymentType=AllAtOnce" in config["dev"]["deploy"]["parameters"]["parameter_overrides"]
    )
