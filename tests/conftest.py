"""Shared fixtures: a trained bundle, the embedded AWS, and a registry built from template.yaml."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Set before any boto3 client or Powertools object exists, so nothing can reach real AWS.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "Sklambda",
        "POWERTOOLS_SERVICE_NAME": "sklambda",
        "POWERTOOLS_DEV": "false",
    }
)
for variable in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
    os.environ.pop(variable, None)

from moto import mock_aws  # noqa: E402

from sklambda import aws  # noqa: E402
from sklambda.registry.manifest import Manifest  # noqa: E402
from sklambda.registry.signing import KmsVerifier  # noqa: E402
from sklambda.registry.store import ModelRegistry  # noqa: E402
from sklambda.training.data import load_bundled  # noqa: E402
from sklambda.training.train import TrainedModel, save_bundle, train_model  # noqa: E402
from sklambda_local.iam import enforced_iam  # noqa: E402
from sklambda_local.provision import provision_registry  # noqa: E402
from sklambda_local.template import LocalStack  # noqa: E402

EVENTS = Path(__file__).resolve().parent.parent / "events"


@pytest.fixture(scope="session")
def trained() -> TrainedModel:
    return train_model(load_bundled("breast_cancer"), model_name="sklambda-model")


@pytest.fixture(scope="session")
def bundle_dir(trained: TrainedModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("bundle")
    save_bundle(trained, directory)
    return directory


@pytest.fixture
def stack() -> LocalStack:
    return LocalStack()


@pytest.fixture
def moto() -> Iterator[None]:
    """The embedded AWS with IAM enforced: the test signs as an administrator, and a function
    run through the harness signs as its template role (sklambda_local.iam)."""
    aws.clear_clients()
    with mock_aws(), enforced_iam():
        yield
    aws.clear_clients()


@pytest.fixture
def registry(moto: None, stack: LocalStack) -> ModelRegistry:
    return provision_registry(stack, aws.client("s3"), aws.client("kms"))


@pytest.fixture
def verifier(registry: ModelRegistry, stack: LocalStack) -> KmsVerifier:
    """Verifies with the key the registry fixture signs with, as PredictFunction would."""
    key = stack.function_environment("PredictFunction")["MODEL_SIGNING_KEY"]
    return KmsVerifier(aws.client("kms"), key)


@pytest.fixture
def champion(registry: ModelRegistry, bundle_dir: Path) -> Manifest:
    from sklambda.registry.bundle import publish_bundle

    manifest = publish_bundle(registry, bundle_dir)
    registry.promote(manifest.version or "")
    return manifest
