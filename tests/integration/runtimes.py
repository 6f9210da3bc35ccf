"""Bundles for the two inference runtimes: one as trained, one that never got an ONNX graph."""

import shutil
from pathlib import Path

from sklambda.registry.manifest import ONNX_FILE, Manifest, OnnxConversion
from sklambda.storage.keys import MANIFEST_FILE

RUNTIMES = ["sklearn", "onnx"]
# The parity gate's bound: what the ONNX runtime may differ from scikit-learn by.
PROBABILITY_TOLERANCE = 1e-5


def bundle_without_onnx(bundle_dir: Path, target: Path, note: str) -> Path:
    """A copy of the bundle as if its pipeline had not converted."""
    shutil.copytree(bundle_dir, target)
    (target / ONNX_FILE).unlink(missing_ok=True)
    manifest = Manifest.model_validate_json((target / MANIFEST_FILE).read_text())
    stripped = manifest.model_copy(update={"onnx": OnnxConversion(note=note)})
    (target / MANIFEST_FILE).write_text(stripped.model_dump_json(indent=2))
    return target
