"""The slimmed layer, as `sam build` made it, imports and predicts under the target Python.

The host cannot load aarch64 extension modules, so this runs the host-architecture variant,
which the same layer makefile slims the same way. The interpreter runs with -S (no
site-packages): only the layer and an SDK directory, as in Lambda, are importable.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sklambda.training.train import TrainedModel
from sklambda_local.containers import functions_without_endpoint_variable
from sklambda_local.template import TEMPLATE_PATH

# The modules the model pipeline, training and the handlers import from scikit-learn.
SKLEARN_MODULES = (
    "sklearn.compose",
    "sklearn.ensemble",
    "sklearn.pipeline",
    "sklearn.preprocessing",
    "sklearn.metrics",
    "sklearn.model_selection",
    "sklearn.datasets",
)
# What the Lambda runtime provides beside the layer.
RUNTIME_SDK = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")

PROBE = """
import importlib, json, sys
import joblib
modules = [importlib.import_module(name) for name in sys.argv[2].split(",")]
from sklambda.registry.manifest import RuntimeVersions
from sklambda.training.data import load_bundled
from sklambda.training.train import train_model
import predict_handler.handlers.api
rows = json.loads(sys.argv[3])
served = joblib.load(sys.argv[1]).predict_proba(rows).tolist()
data = load_bundled("breast_cancer")
retrained = train_model(data, model_name="probe", hyperparameters={"max_iter": 20})
print(json.dumps({
    "files": {module.__name__: module.__file__ for module in modules},
    "versions": RuntimeVersions.current().model_dump(),
    "probabilities": served,
    "retrained_accuracy": retrained.manifest.metrics.get("accuracy"),
}))
"""


@pytest.fixture(scope="module")
def sdk_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Links to the development SDK, standing in for the runtime's own copy."""
    directory = tmp_path_factory.mktemp("runtime-sdk")
    for name in RUNTIME_SDK:
        module = __import__(name)
        source = Path(module.__file__ or "")
        source = source.parent if source.name == "__init__.py" else source
        (directory / source.name).symlink_to(source)
    return directory


def _probe(layer: Path, function_code: Path, sdk: Path, model: Path, rows: list) -> dict:
    interpreter = Path(sys.base_prefix) / "bin" / "python3.12"
    environment = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join(map(str, (function_code, layer, sdk))),
        "PYTHONDONTWRITEBYTECODE": "1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "MODEL_BUCKET": "probe-bucket",
        "MODEL_NAME": "probe",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    result = subprocess.run(
        [
            str(interpreter),
            "-S",
            "-c",
            PROBE,
            str(model),
            ",".join(SKLEARN_MODULES),
            json.dumps(rows),
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_function_declares_the_endpoint_variable():
    assert functions_without_endpoint_variable(TEMPLATE_PATH) == []


def test_built_layer_imports_and_predicts_like_the_development_stack(
    local_build: Path, sdk_dir: Path, trained: TrainedModel, bundle_dir: Path
):
    layer = local_build / "ModelLayer" / "python"
    rows = trained.holdout_features[:5].tolist()
    report = _probe(
        layer, local_build / "PredictFunction", sdk_dir, bundle_dir / "model.joblib", rows
    )

    for name, file in report["files"].items():
        assert Path(file).is_relative_to(layer), f"{name} came from {file}"
        assert file.endswith(".pyc"), f"{name} ships its source: {file}"
    assert report["versions"]["scikit_learn"] == trained.manifest.runtime.scikit_learn
    assert report["versions"]["numpy"] == trained.manifest.runtime.numpy
    assert report["probabilities"] == trained.estimator.predict_proba(rows).tolist()
    assert report["retrained_accuracy"] > 0.9


def test_built_layer_leaves_out_what_the_runtime_provides(local_build: Path):
    layer = local_build / "ModelLayer" / "python"
    assert not [name for name in RUNTIME_SDK if (layer / name).exists()]
    assert not list(layer.rglob("tests"))
    assert (layer / "sklambda" / "registry" / "loader.py").is_file(), "first-party keeps source"
