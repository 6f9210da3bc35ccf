"""Fixtures for the tests that run the real SAM CLI.

Once per session: the host-architecture variant of the build (cached between runs), a
container runtime, a network of this run's own, a moto server on its gateway holding the
template's bucket, and a champion model (a small booster) published and promoted there.
Without a container runtime the tests that need one skip with one reason line; under CI=true
they fail instead, because CI must prove `sam local` works.

The arm64 tier adds the build `make build` makes for `sam deploy`, and the same embedded AWS
seen by functions built for arm64. Where arm64 binaries cannot run (no binfmt emulation), it
skips with one reason line, and under CI=true it fails.
"""

import dataclasses
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sklambda.registry.bundle import publish_bundle
from sklambda.training.data import TrainingData, load_bundled
from sklambda.training.train import TrainedModel, save_bundle, train_model
from sklambda_local.containers import ARCHITECTURE_PARAMETER, container_runtime_status
from sklambda_local.emulation import DEPLOYED_ARCHITECTURE, arm64_tier_status
from sklambda_local.local_build import build_as_deployed, build_for_host
from sklambda_local.sam_local import LocalAws, local_aws
from tests.conftest import EVENTS
from tests.local.scenarios import Seeded
from tests.local.scenarios.onnx import ONNX_RUNTIME


@pytest.fixture(scope="session")
def local_build() -> Path:
    return build_for_host()


def _require(available: bool, what: str, reason: str) -> None:
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run {what}, but {reason}")
    pytest.skip(f"{what} skipped: {reason}")


@pytest.fixture(scope="session")
def container_ready() -> None:
    available, reason = container_runtime_status()
    _require(available, "the sam local tests", reason)


@pytest.fixture(scope="session")
def arm64_ready(container_ready: None) -> None:
    available, reason = arm64_tier_status()
    _require(available, "the arm64 tier", reason)


@pytest.fixture(scope="session")
def deployed_build(arm64_ready: None) -> Path:
    return build_as_deployed()


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


@pytest.fixture(scope="session")
def arm64_seeded(seeded: Seeded, arm64_ready: None) -> Seeded:
    """The session's embedded AWS and champion, invoked as functions built for arm64."""
    settings = seeded.aws.settings
    parameters = {**settings.parameters, ARCHITECTURE_PARAMETER: DEPLOYED_ARCHITECTURE}
    aws = dataclasses.replace(
        seeded.aws, settings=dataclasses.replace(settings, parameters=parameters)
    )
    return dataclasses.replace(seeded, aws=aws)


@pytest.fixture(scope="session")
def onnx_seeded(seeded: Seeded) -> Seeded:
    """The session's embedded AWS and champion, invoked as deployed with InferenceRuntime=onnx."""
    conversion = seeded.champion.onnx
    assert conversion is not None, "the champion was published without trying conversion"
    assert conversion.artifact is not None, f"the champion has no graph: {conversion.note}"
    return dataclasses.replace(seeded, aws=seeded.aws.with_parameters(**ONNX_RUNTIME))
