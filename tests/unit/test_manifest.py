from datetime import UTC, datetime

import numpy as np
import sklearn

from sklambda.registry.manifest import Manifest, RuntimeVersions, new_version_id


def test_runtime_versions_are_the_installed_ones():
    versions = RuntimeVersions.current()
    assert versions.scikit_learn == sklearn.__version__
    assert versions.numpy == np.__version__


def test_version_ids_sort_by_time():
    early = new_version_id("f" * 64, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    late = new_version_id("0" * 64, datetime(2026, 1, 2, 3, 4, 6, tzinfo=UTC))
    assert early == "v20260102T030405Z-ffffffff"
    assert sorted([late, early]) == [early, late]


def test_manifest_round_trips_through_json(trained):
    manifest = trained.manifest.model_copy(update={"version": "v1"})
    again = Manifest.model_validate_json(manifest.model_dump_json())
    assert again == manifest


def test_manifest_records_what_the_issue_lists(trained):
    manifest = trained.manifest
    assert manifest.task == "classification"
    assert manifest.classes == [0, 1]
    assert len(manifest.feature_schema.features) == 30
    assert set(manifest.metrics) >= {"accuracy", "f1", "roc_auc"}
    assert manifest.training_data.rows == 569
    assert len(manifest.training_data.fingerprint) == 64
    assert manifest.runtime.joblib
    assert manifest.runtime.python


def test_summary_names_features_without_internal_fields(trained):
    summary = trained.manifest.model_copy(update={"version": "v1"}).summary()
    assert summary["version"] == "v1"
    assert summary["features"][0]["name"] == "mean radius"
    assert "training_data" not in summary
