"""template.yaml and the ASL files: least privilege, retries, and the numbers that must agree."""

import json

import pytest

from sklambda_local.provision import state_machine_definition
from sklambda_local.template import PROJECT_ROOT

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


def _written_resources(stack, function: str) -> set[str]:
    statements = [
        s for policy in stack.properties(function)["Policies"] for s in policy["Statement"]
    ]
    return {
        resource
        for statement in statements
        if "s3:PutObject" in statement["Action"]
        for resource in (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
    }


@pytest.mark.parametrize("function", LOOP_FUNCTIONS)
def test_only_promote_and_rollback_can_move_the_champion(stack, function):
    moves_alias = any("/aliases/" in resource for resource in _written_resources(stack, function))
    assert moves_alias is (function in {"PromoteFunction", "RollbackFunction"})


def test_training_writes_new_versions_and_its_holdout_and_nothing_else(stack):
    bucket = stack.arn_of("ModelBucket")
    assert _written_resources(stack, "TrainFunction") == {
        f"{bucket}/models/sklambda-model/versions/*",
        f"{bucket}/retraining/holdouts/*",
    }


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
