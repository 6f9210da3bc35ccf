"""The local Lambda bridge lets moto's Step Functions interpreter run the project's handlers."""

import json
import time

import boto3
import pytest
from moto import mock_aws

from sklambda_local.iam import enforced_iam
from sklambda_local.lambda_bridge import lambda_invokes_run_in_process
from tests.integration.conftest import load_event


@pytest.fixture
def executing_moto():
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}), enforced_iam():
        yield


def _run(definition: dict, payload: dict) -> dict:
    client = boto3.client("stepfunctions", region_name="us-east-1")
    machine = client.create_state_machine(
        name="bridge-check",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/states",
    )["stateMachineArn"]
    execution = client.start_execution(stateMachineArn=machine, input=json.dumps(payload))
    for _ in range(200):
        described = client.describe_execution(executionArn=execution["executionArn"])
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError("execution did not finish")


def test_a_task_state_runs_the_handler_the_template_names(executing_moto, stack):
    # Given a state machine whose task invokes PredictFunction by its ARN
    arn = stack.resolve({"Fn::GetAtt": ["PredictFunction", "Arn"]})
    definition = {
        "StartAt": "Health",
        "States": {
            "Health": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": arn, "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "End": True,
            }
        },
    }
    with lambda_invokes_run_in_process(stack) as log:
        # When it runs
        described = _run(definition, load_event("get_health"))
    # Then the handler ran in-process and its response is the task's output
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"])["statusCode"] == 200
    assert [call.function for call in log.invocations] == ["PredictFunction"]


def test_a_raising_handler_is_a_task_failure_that_catch_sees(executing_moto, stack, monkeypatch):
    from predict_handler.handlers import api

    def broken(event, context):
        raise RuntimeError("the handler broke")

    # PredictFunction answers every event it is given, so it is broken on purpose.
    monkeypatch.setattr(api, "prepare", broken)
    arn = stack.resolve({"Fn::GetAtt": ["PredictFunction", "Arn"]})
    definition = {
        "StartAt": "Broken",
        "States": {
            "Broken": {
                "Type": "Task",
                "Resource": arn,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    with lambda_invokes_run_in_process(stack):
        described = _run(definition, {"not": "an api gateway event"})
    assert described["status"] == "SUCCEEDED"
    assert "Error" in json.loads(described["output"])
