"""The slimmed layer, as `sam build` made it, imports and predicts under the target Python.

Twice: the host-architecture variant under the host's Python 3.13, and the arm64 layer that
`make build` makes for `sam deploy`, inside the arm64 stand-in image under emulation. The
interpreter runs with -S (no site-packages): only the layer and an SDK directory, as in
Lambda, are importable.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import docker
import docker.errors
import pytest

from sklambda.training.train import TrainedModel
from sklambda_local.containers import functions_without_endpoint_variable
from sklambda_local.emulation import arm64_image
from sklambda_local.sam_local import LocalAws
from sklambda_local.template import TEMPLATE_PATH, LocalStack
from tests.local.scenarios import Seeded

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
# Lambda's python3.13 import path inside the stand-in image: function, layer, the runtime's SDK.
ARM64_PYTHONPATH = "/var/task:/opt/python:/var/lang/lib/python3.13/site-packages"
# What the Lambda runtime provides beside the layer.
RUNTIME_SDK = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")

PROBE = """
import importlib, json, platform, sys
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
    "machine": platform.machine(),
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


# PredictFunction's settings as the template sets them, so its handler module imports.
PROBE_ENVIRONMENT = {
    **LocalStack().function_environment("PredictFunction"),
    "PYTHONDONTWRITEBYTECODE": "1",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "MODEL_BUCKET": "probe-bucket",
    "MODEL_NAME": "probe",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _probe_arguments(model: Path, rows: list) -> list[str]:
    return ["-S", "-c", PROBE, str(model), ",".join(SKLEARN_MODULES), json.dumps(rows)]


def _report(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def _probe(layer: Path, function_code: Path, sdk: Path, model: Path, rows: list) -> dict:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    interpreter = Path(sys.base_prefix) / "bin" / f"python{version}"
    environment = {
        **PROBE_ENVIRONMENT,
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join(map(str, (function_code, layer, sdk))),
    }
    result = subprocess.run(
        [str(interpreter), *_probe_arguments(model, rows)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return _report(result.stdout)


def _probe_in_container(build: Path, aws: LocalAws, bundle: Path, rows: list) -> dict:
    """The probe inside the arm64 stand-in image: the layer at /opt/python, as Lambda mounts it."""
    client = docker.DockerClient(base_url=aws.settings.docker_env.get("DOCKER_HOST"), timeout=600)
    mounts = {
        str(build / "ModelLayer"): {"bind": "/opt", "mode": "ro"},
        str(build / "PredictFunction"): {"bind": "/var/task", "mode": "ro"},
        str(bundle): {"bind": "/model", "mode": "ro"},
    }
    try:
        output = client.containers.run(
            arm64_image(),
            ["/var/lang/bin/python3.13", *_probe_arguments(Path("/model/model.joblib"), rows)],
            environment={**PROBE_ENVIRONMENT, "PYTHONPATH": ARM64_PYTHONPATH},
            volumes=mounts,
            network_mode="none",
            remove=True,
        )
    except docker.errors.ContainerError as error:
        pytest.fail(f"the arm64 probe failed:\n{(error.stderr or b'').decode()[-3000:]}")
    finally:
        client.close()
    return _report(output.decode())


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


@pytest.mark.local
def test_arm64_layer_as_deployed_imports_and_predicts_under_emulation(
    deployed_build: Path, arm64_seeded: Seeded, trained: TrainedModel, bundle_dir: Path
):
    layer = deployed_build / "ModelLayer" / "python"
    assert _elf_machines(layer) == {"AArch64"}, "the deployed layer is not all aarch64"
    rows = trained.holdout_features[:5].tolist()
    report = _probe_in_container(deployed_build, arm64_seeded.aws, bundle_dir, rows)

    assert report["machine"] == "aarch64"
    for name, file in report["files"].items():
        assert file.startswith("/opt/python/"), f"{name} came from {file}"
        assert file.endswith(".pyc"), f"{name} ships its source: {file}"
    assert report["versions"]["scikit_learn"] == trained.manifest.runtime.scikit_learn
    assert report["versions"]["numpy"] == trained.manifest.runtime.numpy
    expected = trained.estimator.predict_proba(rows).tolist()
    for served_row, expected_row in zip(report["probabilities"], expected, strict=True):
        assert served_row == pytest.approx(expected_row, abs=1e-12)
    assert report["retrained_accuracy"] > 0.9


def _elf_machines(layer: Path) -> set[str]:
    """The machine field of every extension module's ELF header."""
    machines = {183: "AArch64", 62: "x86-64"}
    found = set()
    for path in layer.rglob("*.so*"):
        if not path.is_file():
            continue
        with path.open("rb") as binary:
            header = binary.read(20)
        if header[:4] == b"\x7fELF":
            found.add(machines.get(int.from_bytes(header[18:20], "little"), "other"))
    return found


def test_built_layer_leaves_out_what_the_runtime_provides(local_build: Path):
    layer = local_build / "ModelLayer" / "python"
    assert not [name for name in RUNTIME_SDK if (layer / name).exists()]
    assert not list(layer.rglob("tests"))
    assert (layer / "sklambda" / "registry" / "loader.py").is_file(), "first-party keeps source"
