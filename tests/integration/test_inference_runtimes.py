"""PredictFunction under each InferenceRuntime: the same answers, and under onnx a version
without a parity-passing graph is refused without taking the API down."""

import json
from pathlib import Path

import numpy as np
import pytest

from sklambda.registry.bundle import publish_bundle
from sklambda.training.data import load_bundled
from sklambda.training.train import save_bundle, train_model
from sklambda_local.template import LocalStack
from tests.integration.conftest import load_event
from tests.integration.runtimes import PROBABILITY_TOLERANCE, RUNTIMES, bundle_without_onnx


@pytest.fixture(params=RUNTIMES)
def stack(request) -> LocalStack:
    return LocalStack(parameter_overrides={"InferenceRuntime": request.param})


@pytest.fixture(scope="module")
def plain_bundle(tmp_path_factory) -> Path:
    """Another model (so another version id) whose pipeline did not convert."""
    trained = train_model(
        load_bundled("breast_cancer"), model_name="sklambda-model", hyperparameters={"max_iter": 10}
    )
    directory = tmp_path_factory.mktemp("plain")
    save_bundle(trained, directory / "trained")
    note = "not converted: RuntimeError: no converter for this estimator"
    return bundle_without_onnx(directory / "trained", directory / "plain", note)


@pytest.fixture
def unconverted(registry, plain_bundle):
    return publish_bundle(registry, plain_bundle)


def _runtime(stack: LocalStack) -> str:
    return stack.parameter("InferenceRuntime")


def test_the_function_environment_names_the_runtime(stack, predict_env):
    assert predict_env["INFERENCE_RUNTIME"] == _runtime(stack)


def test_rows_get_the_pickles_labels_and_probabilities_within_tolerance(
    invoke_predict, champion, trained
):
    event = load_event("predict_array_rows")
    rows = np.array(json.loads(event["body"])["instances"], dtype=np.float64)
    response = invoke_predict(event)
    assert response["statusCode"] == 200, response["body"]
    body = response["json"]
    assert body["predictions"] == trained.estimator.predict(rows).tolist()
    got = np.array([[row["0"], row["1"]] for row in body["probabilities"]])
    np.testing.assert_allclose(
        got, trained.estimator.predict_proba(rows), rtol=0, atol=PROBABILITY_TOLERANCE
    )


def test_one_keyed_row_is_answered_by_the_champion(invoke_predict, champion):
    response = invoke_predict(load_event("predict_one_row"))
    assert response["statusCode"] == 200, response["body"]
    assert response["json"]["model_version"] == champion.version
    assert response["json"]["predictions"] == [0]


def test_the_model_summary_says_how_the_version_converted(invoke_predict, champion):
    response = invoke_predict(load_event("get_model"))
    assert response["statusCode"] == 200, response["body"]
    assert response["json"]["onnx"].startswith("converted, parity passed")


def test_a_champion_without_onnx_is_served_only_by_scikit_learn(
    stack, invoke_predict, registry, unconverted
):
    registry.promote(unconverted.version or "")
    response = invoke_predict(load_event("predict_one_row"))
    if _runtime(stack) == "sklearn":
        assert response["statusCode"] == 200, response["body"]
        return
    assert response["statusCode"] == 503
    message = response["json"]["error"]["message"]
    assert "has no parity-passing ONNX artifact" in message
    assert "no converter for this estimator" in message
    assert "InferenceRuntime=sklearn" in message


def test_under_onnx_a_promoted_version_without_a_graph_leaves_the_old_champion_serving(
    stack, invoke_predict, monkeypatch, registry, champion, unconverted
):
    from predict_handler import dependencies

    monkeypatch.setenv("MODEL_CACHE_TTL_SECONDS", "0")
    dependencies.reset()
    event = load_event("predict_one_row")
    assert invoke_predict(event)["json"]["model_version"] == champion.version
    # The alias moved behind the gate's back (an operator writing it directly).
    registry.promote(unconverted.version or "")
    served = invoke_predict(event)
    assert served["statusCode"] == 200, served["body"]
    expected = champion.version if _runtime(stack) == "onnx" else unconverted.version
    assert served["json"]["model_version"] == expected
