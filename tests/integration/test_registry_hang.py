"""A registry that accepts connections and never answers (a real silent server on loopback):
a cold request gets its 503 well inside API Gateway's 29 s, a warm one the loaded model."""

import time

import pytest

from sklambda import aws
from sklambda_local.hanging_endpoint import hanging_endpoint
from tests.integration.conftest import load_event

API_GATEWAY_SECONDS = 29


@pytest.fixture
def silent_registry(monkeypatch):
    with hanging_endpoint() as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        aws.clear_clients()
        yield url
    aws.clear_clients()


def test_a_cold_request_gets_a_503_naming_the_unreachable_alias(
    invoke_predict, registry, champion, silent_registry
):
    started = time.monotonic()
    response = invoke_predict(load_event("predict_one_row"))
    elapsed = time.monotonic() - started
    assert response["statusCode"] == 503, response["body"]
    assert "champion alias could not be read" in response["json"]["error"]["message"]
    assert "Read timeout" in response["json"]["error"]["message"]
    assert elapsed < API_GATEWAY_SECONDS


def test_a_warm_function_keeps_answering_while_the_registry_hangs(
    invoke_predict, registry, champion, monkeypatch, tmp_path
):
    from predict_handler import dependencies
    from predict_handler.settings import get_settings
    from sklambda.registry.factory import serving_registries

    monkeypatch.setenv("MODEL_CACHE_TTL_SECONDS", "0")
    dependencies.reset()
    event = load_event("predict_one_row")
    assert invoke_predict(event)["json"]["model_version"] == champion.version
    loader = dependencies.get_loader()
    failures = loader.failures
    with hanging_endpoint() as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        aws.clear_clients()
        loader.reconnect(*serving_registries(get_settings()))
        for _ in range(2):
            started = time.monotonic()
            response = invoke_predict(event)
            assert time.monotonic() - started < API_GATEWAY_SECONDS
            assert response["statusCode"] == 200, response["body"]
            assert response["json"]["model_version"] == champion.version
    # Each request re-checked the alias (TTL 0), gave up, and kept the model.
    assert loader.failures == failures + 2


def test_the_serving_clients_fit_the_api_budget():
    """Worst case of a cold load's alias read and a warm refresh, from the clients' settings."""
    cold = aws.model_load_client("s3").meta.config
    warm = aws.best_effort_client("s3").meta.config
    backoff_ceiling = 1  # standard mode: the first retry waits up to 1 s
    attempts = cold.retries["total_max_attempts"]
    cold_worst = attempts * (cold.connect_timeout + cold.read_timeout) + backoff_ceiling
    assert cold_worst < API_GATEWAY_SECONDS / 3
    assert warm.retries["total_max_attempts"] == 1
    assert warm.connect_timeout + warm.read_timeout <= 2
