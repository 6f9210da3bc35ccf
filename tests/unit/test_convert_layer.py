"""TrainFunction's layers (the scikit-learn layer and the conversion layer) are enough to
convert a candidate and gate it on parity with ONNX Runtime, as publishing does elsewhere: each
of the three outcomes (converted, failed parity, not converted) is reached with only them."""

from sklambda.training.onnx_export import CONVERTER_PACKAGES
from sklambda_local.template import PROJECT_ROOT, TEMPLATE_PATH, LocalStack, load_template
from tests.unit.layer_stack import (
    distributions,
    pins,
    requirement_lines,
    run_with_only,
    top_level_modules,
)

LAYERS = PROJECT_ROOT / "layers"
MODEL_LAYER = LAYERS / "model" / "requirements.txt"
CONVERT_LAYER = LAYERS / "convert" / "requirements.txt"
ONNX_LAYER = LAYERS / "onnx" / "requirements.txt"
# layers/Makefile installs the serving layer's onnxruntime pin into the conversion layer.
SERVING_RUNTIME = "onnxruntime"

CONVERT = """
import tempfile
from pathlib import Path
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
import retrain_handler.handlers.train
from sklambda.training.data import load_bundled
from sklambda.training.train import save_bundle, train_model

notes = []
for dataset, pipeline in (
    ("wine", None),
    ("diabetes", None),
    ("iris", make_pipeline(FunctionTransformer(np.log1p), LogisticRegression(max_iter=500))),
):
    trained = train_model(
        load_bundled(dataset), model_name="m", hyperparameters={"max_iter": 20}
    ) if pipeline is None else train_model(load_bundled(dataset), model_name="m", pipeline=pipeline)
    with tempfile.TemporaryDirectory() as directory:
        manifest = save_bundle(trained, Path(directory))
        written = (Path(directory) / "model.onnx").exists()
    notes.append([dataset, manifest.onnx.note, written, sorted(manifest.onnx.converter)])
print(json.dumps(notes))
"""


def _convert_layer_lines() -> list[str]:
    serving = [line for line in requirement_lines(ONNX_LAYER) if line.startswith(SERVING_RUNTIME)]
    return [*requirement_lines(CONVERT_LAYER), *serving]


def test_only_train_function_carries_the_conversion_layer_and_only_under_onnx():
    resources = load_template(TEMPLATE_PATH)["Resources"]
    with_layer = {
        name
        for name, resource in resources.items()
        if "ConvertLayer" in str(resource.get("Properties", {}).get("Layers", []))
    }
    assert with_layer == {"TrainFunction"}
    layers = resources["TrainFunction"]["Properties"]["Layers"]
    assert layers == [
        {"Ref": "ModelLayer"},
        {"Fn::If": ["ServeWithOnnx", {"Ref": "ConvertLayer"}, {"Ref": "AWS::NoValue"}]},
    ]


def test_the_conversion_layer_adds_what_conversion_needs_and_nothing_the_model_layer_has():
    model = distributions(requirement_lines(MODEL_LAYER), with_dependencies=True)
    convert = distributions(_convert_layer_lines(), with_dependencies=False)
    assert set(CONVERTER_PACKAGES) <= convert
    assert not model & convert, "installed twice: the layers would shadow each other"
    # Installed without dependencies, so each converter's own must come from the two layers.
    # (onnxruntime's are its tools' and are left out, as in the lean layer.)
    needed = distributions(requirement_lines(CONVERT_LAYER), with_dependencies=True)
    assert needed <= model | convert, needed - model - convert
    assert (
        pins(ONNX_LAYER)[SERVING_RUNTIME]
        == dict(line.split("==", 1) for line in _convert_layer_lines())[SERVING_RUNTIME]
    )


def test_train_function_converts_and_gates_candidates_with_only_its_layers():
    model = distributions(requirement_lines(MODEL_LAYER), with_dependencies=True)
    convert = distributions(_convert_layer_lines(), with_dependencies=False)
    # The Lambda runtime provides the AWS SDK.
    sdk = distributions(["boto3"], with_dependencies=True)
    allowed = top_level_modules(model | convert | sdk) | {"sklambda", "retrain_handler"}
    notes = run_with_only(
        sorted(allowed),
        CONVERT,
        python_path=("layers/model", "functions/retrain"),
        environment=LocalStack().function_environment("TrainFunction"),
    )
    assert isinstance(notes, list)
    by_dataset = {dataset: outcome for dataset, *outcome in notes}
    note, written, converter = by_dataset["wine"]
    assert note.startswith("converted, parity passed"), note
    assert written
    assert converter == sorted(CONVERTER_PACKAGES)
    # A value within float32 rounding of a split goes down the other branch (docs/onnx.md).
    note, written, _ = by_dataset["diabetes"]
    assert note.startswith("converted but failed parity"), note
    assert not written
    note, written, _ = by_dataset["iris"]
    assert note.startswith("not converted: RuntimeError: FunctionTransformer"), note
    assert not written
