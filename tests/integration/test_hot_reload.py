"""Promotions take effect without a redeploy, and a bad promotion never takes the API down."""

import json

import pytest

from sklambda.registry.bundle import publish_bundle
from sklambda.training.data import load_bundled
from sklambda.training.train import save_bundle, train_model
from tests.integration.conftest import load_event


@pytest.fixture
def instant_ttl(invoke_predict, monkeypatch):
    from predict_handler import dependencies

    monkeypatch.setenv("MODEL_CACHE_TTL_SECONDS", "0")
    dependencies.reset()


@pytest.fixture
def challenger(registry, tmp_path):
    trained = train_model(
        load_bundled("breast_cancer"), model_name="sklambda-model", hyperparameters={"max_iter": 25}
    )
    save_bundle(trained, tmp_path / "challenger")
    return publish_bundle(registry, tmp_path / "challenger")


def _version(response) -> str:
    assert response["statusCode"] == 200, response["body"]
    return json.loads(response["body"])["model_version"]


def test_a_promotion_is_served_once_the_ttl_passes(
    invoke_predict, instant_ttl, registry, champion, challenger
):
    event = load_event("predict_one_row")
    assert _version(invoke_predict(event)) == champion.version
    registry.promote(challenger.version)
    assert _version(invoke_predict(event)) == challenger.version


def test_a_tampered_promotion_is_refused_and_the_champion_keeps_serving(
    invoke_predict, instant_ttl, registry, champion, challenger
):
    # Given the API serving the champion
    event = load_event("predict_one_row")
    assert _version(invoke_predict(event)) == champion.version
    # When a challenger whose artifact was altered after publishing is promoted
    registry._s3.put_object(
        Bucket=registry.bucket,
        Key=registry.version_key(challenger.version, "model.joblib"),
        Body=b"malicious pickle",
    )
    registry.promote(challenger.version)
    # Then the tampered artifact is refused and the loaded champion keeps answering
    assert _version(invoke_predict(event)) == champion.version
    assert _version(invoke_predict(event)) == champion.version
