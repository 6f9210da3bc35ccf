"""The serving path under InferenceRuntime=onnx runs with scikit-learn, scipy and joblib absent,
as in the lean layer, and without the onnxruntime dependencies that layer leaves out."""

from sklambda.registry.manifest import MANIFEST_FILE, ONNX_FILE
from sklambda_local.template import PROJECT_ROOT, LocalStack
from tests.unit.layer_stack import pins, run_with_only

# What layers/Makefile installs into the lean layer (its pins and their dependencies), and
# the AWS SDK the Lambda runtime provides; any other installed package counts as absent, so
# scikit-learn, scipy, joblib and onnxruntime's own tool dependencies cannot be imported.
LEAN_LAYER = (
    "numpy",
    "onnxruntime",
    "aws_lambda_powertools",
    "aws_xray_sdk",
    "wrapt",
    "pydantic",
    "pydantic_core",
    "annotated_types",
    "typing_extensions",
    "typing_inspection",
    "orjson",
    "sklambda",
    "predict_handler",
    "batch_handler",
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "dateutil",
    "urllib3",
    "six",
)
NEVER = ("sklearn", "scipy", "joblib")

SERVE = """
import numpy as np
from pathlib import Path
import predict_handler.handlers.api
import batch_handler.handlers.score
from sklambda.registry.manifest import Manifest
from sklambda.runtime.registry import runtime_for

manifest = Manifest.model_validate_json(Path(sys.argv[2]).read_text())
runtime = runtime_for(manifest, "onnx")
runtime.check(manifest)
predictor = runtime.load(Path(sys.argv[3]), manifest)
scores = predictor.predict(np.zeros((3, len(manifest.feature_schema.names))))
loaded = sorted({name.partition(".")[0] for name in sys.modules} - allowed)
print(json.dumps([predictor.runtime, scores.labels.tolist(), scores.probabilities.shape, loaded]))
"""


def test_predict_and_batch_serve_with_onnx_while_scikit_learn_cannot_be_imported(
    bundle_dir,
):
    manifest_path, graph = bundle_dir / MANIFEST_FILE, bundle_dir / ONNX_FILE
    onnx = LocalStack(parameter_overrides={"InferenceRuntime": "onnx"})
    served = run_with_only(
        LEAN_LAYER,
        SERVE,
        [str(manifest_path), str(graph)],
        python_path=("layers/model", "functions/predict", "functions/batch"),
        environment={
            **onnx.function_environment("PredictFunction"),
            **onnx.function_environment("BatchScoreFunction"),
        },
    )
    assert isinstance(served, list)
    runtime, labels, shape, loaded = served
    assert runtime == "onnxruntime"
    assert shape == [3, 2]
    assert not set(NEVER) & set(loaded), loaded
    assert len(labels) == 3


def test_the_lean_layer_pins_the_shared_libraries_as_the_scikit_learn_layer_does():
    lean = pins(PROJECT_ROOT / "layers" / "onnx" / "requirements.txt")
    full = pins(PROJECT_ROOT / "layers" / "model" / "requirements.txt")
    shared = set(lean) - {"onnxruntime"}
    assert shared
    assert {name: lean[name] for name in shared} == {name: full.get(name) for name in shared}
    assert not {"scikit-learn", "scipy", "joblib"} & set(lean)
