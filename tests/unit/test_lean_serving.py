"""The serving path under InferenceRuntime=onnx runs with scikit-learn, scipy and joblib absent,
as in the lean layer, and without the onnxruntime dependencies that layer leaves out."""

import json
import os
import subprocess
import sys
from pathlib import Path

from sklambda.registry.manifest import MANIFEST_FILE, ONNX_FILE
from sklambda_local.template import PROJECT_ROOT, LocalStack

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
import importlib.abc, importlib.machinery, json, sys, sysconfig
lean = set(sys.argv[1].split(","))
installed = sysconfig.get_paths()["purelib"]

class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in lean or name != top:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and (spec.origin or "").startswith(installed):
            raise ModuleNotFoundError(f"No module named {name!r} (absent from the lean layer)")
        return None

sys.meta_path.insert(0, Absent())
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
loaded = sorted({name.partition(".")[0] for name in sys.modules} - lean)
print(json.dumps([predictor.runtime, scores.labels.tolist(), scores.probabilities.shape, loaded]))
"""


def test_predict_and_batch_serve_with_onnx_while_scikit_learn_cannot_be_imported(
    bundle_dir,
):
    manifest_path, graph = bundle_dir / MANIFEST_FILE, bundle_dir / ONNX_FILE
    environment = {
        **os.environ,
        **LocalStack(parameter_overrides={"InferenceRuntime": "onnx"}).function_environment(
            "PredictFunction"
        ),
        **LocalStack(parameter_overrides={"InferenceRuntime": "onnx"}).function_environment(
            "BatchScoreFunction"
        ),
        "PYTHONPATH": os.pathsep.join(
            str(PROJECT_ROOT / part)
            for part in ("layers/model", "functions/predict", "functions/batch")
        ),
    }
    environment.pop("AWS_ENDPOINT_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", SERVE, ",".join(LEAN_LAYER), str(manifest_path), str(graph)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    runtime, labels, shape, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert runtime == "onnxruntime"
    assert shape == [3, 2]
    assert not set(NEVER) & set(loaded), loaded
    assert len(labels) == 3


def _pins(path: Path) -> dict[str, str]:
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return dict(line.split("==", 1) for line in lines if "==" in line)


def test_the_lean_layer_pins_the_shared_libraries_as_the_scikit_learn_layer_does():
    lean = _pins(PROJECT_ROOT / "layers" / "onnx" / "requirements.txt")
    full = _pins(PROJECT_ROOT / "layers" / "model" / "requirements.txt")
    shared = set(lean) - {"onnxruntime"}
    assert shared
    assert {name: lean[name] for name in shared} == {name: full.get(name) for name in shared}
    assert not {"scikit-learn", "scipy", "joblib"} & set(lean)
