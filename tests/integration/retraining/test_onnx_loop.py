"""The retraining loop under each InferenceRuntime: under onnx a retrained candidate that
converted with parity is promoted and then served by ONNX Runtime; one that did not convert is
rejected with the conversion's own reason, and the run still succeeds. Under sklearn the same
candidates are judged on their scores alone."""

import json
from typing import Any

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklambda.training.data import load_bundled
from sklambda_local.executions import entered_states
from sklambda_local.lambda_bridge import run_in_process
from sklambda_local.template import LocalStack
from tests.integration.conftest import load_event
from tests.integration.retraining.conftest import Loop, as_csv, shuffled_labels
from tests.integration.runtimes import RUNTIMES

# The predictor each InferenceRuntime serves with.
PREDICTOR_RUNTIME = {"sklearn": "scikit-learn", "onnx": "onnxruntime"}


@pytest.fixture(params=RUNTIMES)
def stack(request) -> LocalStack:
    return LocalStack(parameter_overrides={"InferenceRuntime": request.param})


def _runtime(loop: Loop) -> str:
    return loop.stack.parameter("InferenceRuntime")


def _predict(loop: Loop, rows: list[list[float]]) -> tuple[dict[str, Any], str]:
    """PredictFunction's answer to the rows, and the runtime its loaded champion runs on."""
    from predict_handler import dependencies

    event = load_event("predict_array_rows")
    event["body"] = json.dumps({"instances": rows})
    dependencies.reset()
    try:
        response, failed = run_in_process(loop.stack, "PredictFunction", event, loop.overrides)
        assert not failed, response
        runtime = dependencies.get_loader().current().predictor.runtime
    finally:
        dependencies.reset()
    return json.loads(response["body"]), runtime


def test_a_converted_candidate_is_promoted_and_served_by_the_deployed_runtime(loop: Loop):
    # Given a three-class champion that learned nothing, and the real wine data in training/
    wine = load_bundled("wine")
    weak = loop.publish_champion(shuffled_labels(wine))
    loop.seed_training(as_csv(wine))

    execution = loop.run("alarm_drift_state_change")

    # Then the retrained candidate carries a parity-passing graph and is promoted
    assert execution["status"] == "SUCCEEDED", execution
    record = loop.run_record(execution)
    assert record["outcome"] == "promoted", record
    candidate = loop.registry.manifest(record["candidate"])
    assert candidate.onnx is not None
    assert candidate.onnx.artifact is not None, candidate.onnx.note
    assert candidate.onnx.parity is not None
    assert candidate.onnx.parity.passed
    assert candidate.onnx.converter["onnxruntime"]
    assert loop.champion() == candidate.version != weak
    # And PredictFunction serves it with the deployed runtime, as the pickle would answer
    rows = np.column_stack(wine.columns)[:5]
    body, runtime = _predict(loop, rows.tolist())
    assert runtime == PREDICTOR_RUNTIME[_runtime(loop)]
    assert body["model_version"] == candidate.version
    assert body["predictions"] == wine.target[:5].tolist()


def _log_then_logistic() -> Any:
    """skl2onnx has no converter for a FunctionTransformer that wraps a function."""
    return make_pipeline(FunctionTransformer(np.log1p), LogisticRegression(max_iter=1000))


def test_a_candidate_that_does_not_convert_is_rejected_under_onnx_with_its_reason(loop: Loop):
    # Given a weak champion whose pipeline cannot be converted, promoted by hand
    iris = load_bundled("iris")
    weak = loop.publish_champion(shuffled_labels(iris), pipeline=_log_then_logistic())
    loop.seed_training(as_csv(iris))

    execution = loop.run("alarm_drift_state_change")

    # Then the run succeeds either way; the better candidate has no graph
    assert execution["status"] == "SUCCEEDED", execution
    record = loop.run_record(execution)
    candidate = loop.registry.manifest(record["candidate"])
    assert candidate.onnx is not None
    assert candidate.onnx.artifact is None
    assert candidate.onnx.note.startswith("not converted: RuntimeError: FunctionTransformer")
    (notice,) = loop.notifications()
    if _runtime(loop) == "sklearn":
        assert record["outcome"] == "promoted", record
        assert loop.champion() == candidate.version
        return
    # Under onnx it is rejected, not crashed, and the reason names the conversion
    assert record["outcome"] == "rejected", record
    assert "Promote" not in entered_states(loop.sfn, execution["executionArn"])
    assert loop.champion() == weak
    (reason,) = record["reasons"]
    assert reason.startswith("cannot serve under InferenceRuntime=onnx")
    assert "not converted: RuntimeError: FunctionTransformer" in reason
    assert "InferenceRuntime=sklearn" in reason
    assert "\n" not in reason
    assert "FunctionTransformer" in notice["Message"]
