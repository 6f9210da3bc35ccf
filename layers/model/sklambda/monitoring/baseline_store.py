"""The training baseline beside a model version: built at training time, linked by sha256."""

import hashlib
from pathlib import Path

import numpy as np

from sklambda.drift import Baseline, FeatureSpec, build_baseline
from sklambda.errors import IntegrityError, ModelNotFoundError
from sklambda.registry.manifest import BASELINE_FILE, BaselineInfo, Manifest
from sklambda.registry.store import ModelRegistry
from sklambda.schema import FeatureKind


def feature_specs(manifest: Manifest) -> list[FeatureSpec]:
    # Booleans are watched as the 0/1 numbers the model sees.
    return [
        (feature.name, "categorical" if feature.kind is FeatureKind.CATEGORICAL else "numeric")
        for feature in manifest.feature_schema.features
    ]


def training_baseline(
    manifest: Manifest, features: np.ndarray, holdout_predictions: np.ndarray
) -> Baseline:
    """Feature distributions of the training data and of the model's own holdout predictions."""
    return build_baseline(
        feature_specs(manifest), features, holdout_predictions, task=manifest.task
    )


def encode_baseline(baseline: Baseline) -> bytes:
    return baseline.model_dump_json().encode()


def write_baseline(baseline: Baseline, directory: Path) -> BaselineInfo:
    """Write baseline.json into a bundle directory and return what its manifest records."""
    payload = encode_baseline(baseline)
    (directory / BASELINE_FILE).write_bytes(payload)
    return BaselineInfo(file=BASELINE_FILE, sha256=hashlib.sha256(payload).hexdigest())


def decode_verified(payload: bytes, info: BaselineInfo, where: str) -> Baseline:
    digest = hashlib.sha256(payload).hexdigest()
    if digest != info.sha256:
        raise IntegrityError(
            f"baseline of {where} has sha256 {digest[:12]}…, its manifest says "
            f"{info.sha256[:12]}…; refusing to compare traffic against it"
        )
    return Baseline.model_validate_json(payload)


def load_baseline(registry: ModelRegistry, manifest: Manifest) -> Baseline:
    """Fetch a version's baseline; its bytes must match the sha256 in the manifest."""
    where = f"{manifest.model_name} {manifest.version}"
    if manifest.baseline is None or manifest.version is None:
        raise ModelNotFoundError(f"{where} was published without a training baseline")
    payload = registry.read_bytes(manifest.version, manifest.baseline.file)
    return decode_verified(payload, manifest.baseline, where)
