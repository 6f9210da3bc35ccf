"""`sam local` under other template parameters: the variables the parameters compute reach the
function, because the env-vars file (which `sam local` lets override everything) says so too."""

import json
from pathlib import Path

from sklambda_local.containers import ContainerRuntime, sam_local_settings
from sklambda_local.template import LocalStack

ONNX = {"InferenceRuntime": "onnx"}


def _settings(directory: Path):
    stack = LocalStack()
    variables = {name: stack.computed_variables(name) for name in stack.function_ids}
    runtime = ContainerRuntime("podman", {"DOCKER_HOST": "unix:///run/test.sock"})
    return sam_local_settings(
        runtime, None, "http://10.0.0.1:5000", directory, function_variables=variables
    )


def test_the_defaults_pin_the_scikit_learn_runtime(tmp_path: Path):
    settings = _settings(tmp_path)
    written = json.loads(settings.env_vars_file.read_text())
    assert written["PredictFunction"]["INFERENCE_RUNTIME"] == "sklearn"


def test_other_parameters_get_their_own_variables_and_keep_the_endpoint(tmp_path: Path):
    default = _settings(tmp_path)
    stack = LocalStack(parameter_overrides=ONNX)
    variables = {name: stack.computed_variables(name) for name in stack.function_ids}
    onnx = default.with_parameters(ONNX, variables)
    written = json.loads(onnx.env_vars_file.read_text())
    assert onnx.env_vars_file != default.env_vars_file
    assert written["PredictFunction"]["INFERENCE_RUNTIME"] == "onnx"
    assert written["BatchScoreFunction"]["INFERENCE_RUNTIME"] == "onnx"
    assert written["Parameters"] == json.loads(default.env_vars_file.read_text())["Parameters"]
    assert onnx.parameters == {**default.parameters, **ONNX}
    arguments = onnx.arguments()
    assert "InferenceRuntime=onnx" in arguments
    assert arguments[arguments.index("--env-vars") + 1] == str(onnx.env_vars_file)
    # The session's default settings are untouched: the other tests keep scikit-learn.
    default_written = json.loads(default.env_vars_file.read_text())
    assert default_written["PredictFunction"]["INFERENCE_RUNTIME"] == "sklearn"
