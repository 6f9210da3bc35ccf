"""`sam local invoke` on every function of template.yaml, and `sam local start-api` over HTTP.

Every function runs from the host-architecture build, and the two that serve the champion run
again from it under ``InferenceRuntime=onnx`` (the lean layer, no scikit-learn). The arm64 tier
runs the build `sam deploy` ships (arm64, from `make build`) under emulation for the functions
that carry the most native code: serving, batch scoring and training. Emulation costs several
times the native time, so the tier stops there.
"""

import json
from pathlib import Path
from typing import Any

import pytest
from samcli.lib.providers.sam_function_provider import SamFunctionProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider

from sklambda_local.sam_local import (
    EMULATED_TIMEOUT_SECONDS,
    emulated_template,
    invoke,
    post_json,
    resolved_template,
    start_api,
)
from sklambda_local.template import LocalStack
from tests.conftest import EVENTS
from tests.local.scenarios import Scenario, Seeded, scenario_for
from tests.local.scenarios.onnx import ONNX

pytestmark = pytest.mark.local

FUNCTIONS = LocalStack().function_ids
ARM64_FUNCTIONS = ("PredictFunction", "BatchScoreFunction", "TrainFunction")
# The functions InferenceRuntime switches to the lean ONNX layer.
ONNX_FUNCTIONS = tuple(ONNX)


def test_the_template_has_functions_to_invoke():
    assert "PredictFunction" in FUNCTIONS


@pytest.mark.parametrize("function", FUNCTIONS)
def test_sam_local_invoke_answers_with_real_results(
    function: str, seeded: Seeded, local_build: Path, tmp_path: Path
):
    _run_scenario(function, seeded, local_build, tmp_path)


def test_the_arm64_tier_covers_functions_of_the_template():
    assert set(ARM64_FUNCTIONS) <= set(FUNCTIONS)


@pytest.mark.parametrize("function", ARM64_FUNCTIONS)
def test_sam_local_invoke_on_the_deployed_arm64_build(
    function: str, arm64_seeded: Seeded, deployed_build: Path, tmp_path: Path
):
    options = {"template": emulated_template(deployed_build), "timeout": EMULATED_TIMEOUT_SECONDS}
    _run_scenario(function, arm64_seeded, deployed_build, tmp_path, **options)


def test_under_onnx_sam_local_bakes_only_the_lean_layer(onnx_seeded: Seeded, local_build: Path):
    """The layers `sam local invoke` puts into the function's image, as SAM itself reads the
    template the invocations below get."""
    template = resolved_template(onnx_seeded.aws, local_build / "template.yaml")
    parameters = dict(onnx_seeded.aws.settings.parameters)
    stacks, _ = SamLocalStackProvider.get_stacks(str(template), parameter_overrides=parameters)
    functions = SamFunctionProvider(stacks)
    for function in ONNX_FUNCTIONS:
        layers = [Path(layer.codeuri or "") for layer in functions.get(function).layers]
        assert [layer.name for layer in layers] == ["OnnxLayer"], (function, layers)
        packages = {path.name for path in (layers[0] / "python").iterdir()}
        assert "onnxruntime" in packages
        assert not packages & {"sklearn", "scipy", "joblib"}, sorted(packages)


@pytest.mark.parametrize("function", ONNX_FUNCTIONS)
def test_sam_local_invoke_under_the_onnx_runtime(
    function: str, onnx_seeded: Seeded, local_build: Path, tmp_path: Path
):
    _run_scenario(function, onnx_seeded, local_build, tmp_path, scenario=ONNX[function])


def _run_scenario(
    function: str,
    seeded: Seeded,
    build: Path,
    tmp_path: Path,
    scenario: Scenario | None = None,
    **invoke_options: Any,
) -> None:
    scenario = scenario or scenario_for(function)
    try:
        fields = scenario.prepare(seeded) if scenario.prepare else None
        event = scenario.event_with(fields)
        event_path = tmp_path / scenario.event_path.name
        event_path.write_text(json.dumps(event))
        invocation = invoke(seeded.aws, build, function, event_path, **invoke_options)
        payload = invocation.payload
        assert not (isinstance(payload, dict) and "errorType" in payload), (
            f"{function} raised: {payload}\n{invocation.logs[-3000:]}"
        )
        scenario.check(payload, seeded, event)
    finally:
        if scenario.restore:
            scenario.restore(seeded)
    # The REPORT line is not asserted: sam local waits only a second for the container's logs
    # after the response, so a busy machine loses it; benchmarks/coldstart.py reads it instead.


def test_start_api_serves_predictions_over_http(seeded: Seeded, local_build: Path):
    event = json.loads((EVENTS / "predict_one_row.json").read_text())
    with start_api(seeded.aws, local_build) as base_url:
        status, body = post_json(f"{base_url}/predict", json.loads(event["body"]))
        invalid_status, invalid = post_json(f"{base_url}/predict", {"instances": []})
    assert status == 200, body
    assert body["model_version"] == seeded.champion.version
    assert len(body["predictions"]) == 1
    assert invalid_status == 422, invalid
