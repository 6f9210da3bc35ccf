"""Publishing a trained bundle (a directory with model.joblib and manifest.json) as a version."""

import hashlib
from pathlib import Path

from pydantic import ValidationError

from sklambda.errors import IntegrityError, TrainingDataError
from sklambda.registry.manifest import BASELINE_FILE, MANIFEST_FILE, Manifest, new_version_id
from sklambda.registry.store import ModelRegistry


def read_bundle(directory: Path) -> Manifest:
    manifest_path = directory / MANIFEST_FILE
    if not manifest_path.is_file():
        raise TrainingDataError(f"{directory} is not a trained bundle: it has no {MANIFEST_FILE}")
    try:
        return Manifest.model_validate_json(manifest_path.read_text())
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, item['loc'])) or 'file'}: {item['msg'].lower()}"
            for item in error.errors()[:5]
        )
        raise TrainingDataError(
            f"{manifest_path} is incomplete or invalid ({problems}); write bundles with "
            "`sklambda train`, or publish a model file with --model, --data and --target"
        ) from None


def publish_bundle(registry: ModelRegistry, directory: Path) -> Manifest:
    """Give the bundle a new version id and upload it; the local bytes must match the manifest."""
    draft = read_bundle(directory)
    artifact = directory / draft.artifact.file
    digest = hashlib.sha256(artifact.read_bytes()).hexdigest()
    if digest != draft.artifact.sha256:
        raise IntegrityError(f"{artifact} does not match the sha256 in its manifest")
    files: dict[str, Path | bytes] = {draft.artifact.file: artifact}
    if draft.baseline is not None:
        baseline = directory / draft.baseline.file
        if hashlib.sha256(baseline.read_bytes()).hexdigest() != draft.baseline.sha256:
            raise IntegrityError(f"{baseline} does not match the sha256 in its manifest")
        files[BASELINE_FILE] = baseline
    manifest = draft.model_copy(
        update={"model_name": registry.model_name, "version": new_version_id(digest)}
    )
    return registry.publish(manifest, files)
