"""The training baseline is written with the bundle and linked to the manifest by sha256."""

import hashlib
import json

import pytest

from sklambda.drift import Baseline
from sklambda.errors import IntegrityError
from sklambda.monitoring.baseline_store import decode_verified
from sklambda.registry.manifest import BASELINE_FILE


def test_training_writes_a_baseline_that_the_manifest_names_by_hash(trained, bundle_dir):
    manifest = json.loads((bundle_dir / "manifest.json").read_text())
    payload = (bundle_dir / BASELINE_FILE).read_bytes()
    assert manifest["baseline"]["sha256"] == hashlib.sha256(payload).hexdigest()
    baseline = Baseline.model_validate_json(payload)
    # One entry per feature of the schema, plus the holdout predictions' class shares.
    assert [f.name for f in baseline.features] == trained.manifest.feature_schema.names
    assert baseline.features[0].kind == "numeric"
    assert len(baseline.features[0].bin_proportions) == len(baseline.features[0].bin_edges) + 1
    assert baseline.features[0].reference_sample
    assert set(baseline.prediction.category_proportions) == {"0", "1"}
    assert sum(baseline.prediction.category_proportions.values()) == pytest.approx(1.0)


def test_a_baseline_whose_bytes_differ_from_the_manifest_is_refused(bundle_dir, trained):
    from sklambda.registry.bundle import read_bundle

    info = read_bundle(bundle_dir).baseline
    assert info is not None
    payload = (bundle_dir / BASELINE_FILE).read_bytes()
    assert decode_verified(payload, info, "m v1").task == "classification"
    tampered = payload.replace(b'"missing_rate":0.0', b'"missing_rate":0.5', 1)
    assert tampered != payload
    with pytest.raises(IntegrityError, match="refusing to compare"):
        decode_verified(tampered, info, "m v1")
