"""The registries a serving function reads through build no signing client."""

import pytest

from sklambda import aws
from sklambda.registry.factory import serving_registries
from sklambda.settings import RegistrySettings

SETTINGS = RegistrySettings.model_validate(
    {
        "MODEL_BUCKET": "models-bucket",
        "MODEL_NAME": "churn",
        "MODEL_PREFIX": "models",
        "MODEL_CACHE_TTL_SECONDS": 60,
        "MODEL_CACHE_DIR": "/tmp/models",
        "MODEL_SIGNING_KEY": "alias/signing",
        "ALLOW_UNSIGNED_MODELS": False,
    }
)


@pytest.fixture
def built_clients(monkeypatch):
    built: list[str] = []

    def record(service, config, credentials):
        built.append(service)
        return object()

    monkeypatch.setattr(aws, "_new_client", record)
    aws.clear_clients()
    yield built
    aws.clear_clients()


def test_serving_registries_build_only_s3_clients(built_clients):
    serving_registries(SETTINGS)
    assert built_clients == ["s3", "s3"]
