"""Key building: every model's keys stay under that model's roots, whatever its name."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sklambda.settings import RegistrySettings
from sklambda.storage import keys
from sklambda.storage.keys import ModelKeys

NAMES = st.from_regex(keys.MODEL_NAME_PATTERN, fullmatch=True).filter(
    lambda name: name not in {".", ".."}
)
SEGMENTS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/"), min_size=1
)


def test_the_documented_layout():
    model = ModelKeys("churn")
    assert model.version_key("v1", "model.joblib") == "models/churn/versions/v1/model.joblib"
    assert model.manifest_key("v1") == "models/churn/versions/v1/manifest.json"
    assert model.alias_key() == "models/churn/aliases/champion.json"
    assert model.capture_hour_prefix(datetime(2026, 11, 30, 7, tzinfo=UTC)) == (
        "capture/churn/2026/11/30/07/"
    )
    assert model.capture_errors_root == "capture-errors/churn/"
    assert model.report_key("drift/v1/x.json") == "reports/churn/drift/v1/x.json"
    assert model.drift_watermark_key == "monitoring/churn/drift-watermark.json"
    assert model.labelled_key(datetime(2026, 11, 30, tzinfo=UTC), "f-v1") == (
        "labelled/churn/dt=2026-11-30/f-v1.csv"
    )
    assert keys.retraining_run_key("r1") == "retraining/runs/r1.json"
    assert keys.holdout_key("r1") == "retraining/holdouts/r1.jsonl"


@pytest.mark.parametrize("prefix", ["labelled", "labelled/", "/labelled/"])
def test_a_prefix_names_the_same_root_with_or_without_slashes(prefix):
    assert ModelKeys("m", labelled_prefix=prefix).labelled_root == "labelled/m/"


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "../other", "a b", "é"])
def test_a_name_that_would_leave_its_root_is_refused(name):
    with pytest.raises(ValueError, match="model name"):
        ModelKeys(name)


@given(name=NAMES, version=SEGMENTS, file=SEGMENTS)
def test_every_model_key_stays_under_its_own_roots(name, version, file):
    model = ModelKeys(name)
    roots = [model.model_root, model.capture_root, model.reports_root, model.state_root]
    assert all(root.count("/") == 2 and root.split("/")[1] == name for root in roots)
    assert model.version_key(version, file).startswith(model.versions_prefix)
    assert model.alias_key(version).startswith(model.aliases_prefix)
    assert ModelKeys.version_of_manifest(model.manifest_key(version)) == version
    assert model.drift_watermark_key.startswith(model.state_root)
    assert model.labelled_root.startswith(f"labelled/{name}/")


@given(first=NAMES, second=NAMES)
def test_two_models_never_share_a_root(first, second):
    if first != second:
        assert not ModelKeys(first).model_root.startswith(ModelKeys(second).model_root)


@given(name=NAMES)
def test_the_settings_accept_exactly_the_names_the_keys_accept(name):
    settings = RegistrySettings.from_environment(
        {
            "MODEL_BUCKET": "bucket",
            "MODEL_NAME": name,
            "MODEL_PREFIX": "models",
            "MODEL_CACHE_TTL_SECONDS": "60",
            "MODEL_CACHE_DIR": "/tmp/models",
            "MODEL_SIGNING_KEY": "alias/stack-model-signing",
            "ALLOW_UNSIGNED_MODELS": "false",
        }
    )
    assert settings.model_keys().model_root == f"models/{name}/"


@given(relative=SEGMENTS, version=SEGMENTS)
def test_batch_outputs_mirror_the_upload_and_runs_are_named_per_version(relative, version):
    upload = f"{keys.INCOMING_PREFIX}{relative}"
    assert keys.scored_key(upload) == f"{keys.SCORED_PREFIX}{relative}"
    assert keys.rejected_key(upload) == f"{keys.REJECTED_PREFIX}{relative}"
    assert keys.batch_run_key(upload) == f"{keys.BATCH_RUNS_PREFIX}{relative}.json"
    run = keys.batch_run_id(upload, version)
    assert run == keys.batch_run_id(upload, version) != keys.batch_run_id(upload, version + "x")
    assert keys.batch_claim_key(run).startswith(f"{keys.BATCH_WORK_PREFIX}{run}/")


def test_the_drift_trend_index_is_monitoring_state_of_one_version():
    keys = ModelKeys("churn", state_prefix="monitoring")
    assert keys.drift_trend_key("v3") == "monitoring/churn/drift-trend/v3.json"
    assert not keys.drift_trend_key("v3").startswith(keys.reports_root)
