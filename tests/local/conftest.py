"""Fixtures for the tests that run the real SAM CLI.

Once per session: the host-architecture variant of the build (cached between runs), a
container runtime, a network of this run's own, a moto server on its gateway holding the
template's bucket, and a champion model (a small booster) published and promoted there.
Without a container runtime the tests that need one skip with one reason line; under CI=true
they fail instead, because CI must prove `sam local` works.
"""

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sklambda.registry.bundle import publish_bundle
from sklambda.training.data import TrainingData, load_bundled
from sklambda.training.train import TrainedModel, save_bundle, train_model
from sklambda_local.containers import container_runtime_status
from sklambda_local.local_build import build_for_host
from sklambda_local.sam_local import LocalAws, local_aws
from tests.conftest import EVENTS
from tests.local.scenarios import Seeded


@pytest.fixture(scope="session")
def local_build() -> Path:
    return build_for_host()


@pytest.fixture(scope="session")
def container_ready() -> None:
    available, reason = container_runtime_status()
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the sam local tests, but {reason}")
    pytest.skip(f"sam local needs a container runtime: {reason}")


@pytest.fixture(scope="session")
def embedded_aws(
    container_ready: None, local_build: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalAws]:
    with local_aws(tmp_path_factory.mktemp("sam-local")) as aws:
        yield aws


# TrainFunction retrains with the champion's hyperparameters: a small booster keeps the
# Train scenario (and every candidate a scenario trains here) to a fraction of a second.
SMALL_BOOSTER = {"max_iter": 15, "max_leaf_nodes": 8}


@pytest.fixture(scope="session")
def breast_cancer() -> TrainingData:
    return load_bundled("breast_cancer")


@pytest.fixture(scope="session")
def champion_model(breast_cancer: TrainingData) -> TrainedModel:
    return train_model(breast_cancer, model_name="sklambda-model", hyperparameters=SMALL_BOOSTER)


def _expected_probabilities(trained: TrainedModel, event: str) -> list[float]:
    """What the same model answers in this process for the row the event carries."""
    row = json.loads(json.loads((EVENTS / f"{event}.json").read_text())["body"])["instances"][0]
    features = [[row[name] for name in trained.manifest.feature_schema.names]]
    return [float(value) for value in trained.estimator.predict_proba(features)[0]]


@pytest.fixture(scope="session")
def seeded(
    embedded_aws: LocalAws,
    champion_model: TrainedModel,
    breast_cancer: TrainingData,
    tmp_path_factory: pytest.TempPathFactory,
) -> Seeded:
    registry = embedded_aws.registry()
    bundle_dir = tmp_path_factory.mktemp("champion")
    save_bundle(champion_model, bundle_dir)
    manifest = publish_bundle(registry, bundle_dir)
    registry.promote(manifest.version or "", reason="sam local tests")
    expected = {"predict_one_row": _expected_probabilities(champion_model, "predict_one_row")}
    return Seeded(embedded_aws, manifest, champion_model, breast_cancer, expected)
