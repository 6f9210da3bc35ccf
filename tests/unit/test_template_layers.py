"""The layers each function deploys with, as SAM's own transform makes them.

SAM appends a function's ``Layers`` to those of ``Globals`` rather than replacing them, so a
global scikit-learn layer would ride along with the lean ONNX layer, and twice with itself.
"""

import copy
from typing import Any

import pytest
from samtranslator.translator.transform import transform

from sklambda_local.template import TEMPLATE_PATH, LocalStack, load_template

SERVING_FUNCTIONS = ("PredictFunction", "BatchScoreFunction")
LAYER_TYPE = "AWS::Serverless::LayerVersion"


class _NoManagedPolicies:
    def load(self) -> dict[str, str]:
        return {}


def _deployed_layers(runtime: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Each function's layers (logical ids) in the CloudFormation SAM generates."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    template = copy.deepcopy(load_template(TEMPLATE_PATH))
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        # The transform wants uploaded artifacts; where they come from does not matter here.
        for uri in ("CodeUri", "ContentUri", "DefinitionUri"):
            if isinstance(properties.get(uri), str):
                properties[uri] = "s3://bucket/key"
    layer_ids = [key for key, value in template["Resources"].items() if value["Type"] == LAYER_TYPE]
    generated = transform(template, {"InferenceRuntime": runtime}, _NoManagedPolicies())
    stack = LocalStack(template=generated, parameter_overrides={"InferenceRuntime": runtime})
    deployed = {}
    for logical_id, resource in generated["Resources"].items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        references = resource["Properties"].get("Layers", [])
        chosen = [_layer_id(reference, layer_ids, stack) for reference in references]
        deployed[logical_id] = [layer for layer in chosen if layer is not None]
    return deployed


def _layer_id(reference: Any, layer_ids: list[str], stack: LocalStack) -> str | None:
    if "Fn::If" in reference:
        condition, when_true, when_false = reference["Fn::If"]
        return _layer_id(when_true if stack.condition(condition) else when_false, layer_ids, stack)
    if reference == {"Ref": "AWS::NoValue"}:
        return None
    # The transform renames each layer to its logical id plus a content hash.
    (name,) = [layer for layer in layer_ids if reference["Ref"].startswith(layer)]
    return name


@pytest.mark.parametrize("runtime", ["sklearn", "onnx"])
def test_no_function_deploys_a_layer_twice(runtime: str, monkeypatch: pytest.MonkeyPatch):
    for function, layers in _deployed_layers(runtime, monkeypatch).items():
        assert len(layers) == len(set(layers)), (function, layers)


def test_under_onnx_the_serving_functions_deploy_the_lean_layer_alone(
    monkeypatch: pytest.MonkeyPatch,
):
    deployed = _deployed_layers("onnx", monkeypatch)
    for function in SERVING_FUNCTIONS:
        assert deployed[function] == ["OnnxLayer"], deployed[function]
    others = {name: layers for name, layers in deployed.items() if name not in SERVING_FUNCTIONS}
    assert all("ModelLayer" in layers for layers in others.values()), others


def test_under_sklearn_every_function_deploys_the_scikit_learn_layer(
    monkeypatch: pytest.MonkeyPatch,
):
    deployed = _deployed_layers("sklearn", monkeypatch)
    assert all("ModelLayer" in layers for layers in deployed.values()), deployed
    assert all("OnnxLayer" not in layers for layers in deployed.values()), deployed


@pytest.mark.parametrize(
    ("runtime", "layers"),
    [("sklearn", ["ModelLayer"]), ("onnx", ["ModelLayer", "ConvertLayer"])],
)
def test_training_carries_the_conversion_layer_only_under_onnx(
    runtime: str, layers: list[str], monkeypatch: pytest.MonkeyPatch
):
    assert _deployed_layers(runtime, monkeypatch)["TrainFunction"] == layers
