"""The monitoring loop against the embedded AWS: functions run as template.yaml configures them,
and what they print as EMF becomes metric data in moto's CloudWatch, as it would in AWS."""

import copy
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from sklambda import aws
from sklambda.training.data import load_bundled
from sklambda_local.emf import emf_to_cloudwatch
from sklambda_local.function_logs import add_listener, invoke_capturing_output, remove_listener
from sklambda_local.functions import import_handler
from sklambda_local.iam import platform_client, running_as
from sklambda_local.log_subscriptions import forward_subscribed_lines
from sklambda_local.provision import provision_alarms, provision_delivery_stream
from sklambda_local.template import LocalStack
from tests.integration.conftest import FakeLambdaContext, load_event

FunctionRunner = Callable[[str, dict[str, Any]], Any]


def _reset_dependencies() -> None:
    from drift_handler import dependencies as drift_dependencies
    from predict_handler import dependencies as predict_dependencies

    predict_dependencies.reset()
    drift_dependencies.reset()
    aws.client.cache_clear()
    aws.best_effort_client.cache_clear()


@pytest.fixture
def emf_metrics(moto: None) -> Iterator[None]:
    listener = emf_to_cloudwatch(lambda: platform_client("cloudwatch"))
    add_listener(listener)
    yield
    remove_listener(listener)


@pytest.fixture
def run_function(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch, tmp_path, emf_metrics: None
) -> Iterator[FunctionRunner]:
    """Invoke a function of the template in-process with its own environment.

    Consecutive calls of one function share a warm execution environment (cached adapters),
    as they would in Lambda; switching functions starts a cold one.
    """
    warm: list[str] = []

    def run(logical_id: str, event: dict[str, Any]) -> Any:
        if warm != [logical_id]:
            environment = stack.function_environment(logical_id)
            environment["MODEL_CACHE_DIR"] = str(tmp_path / "model-cache")
            for key, value in environment.items():
                monkeypatch.setenv(key, value)
            _reset_dependencies()
            warm[:] = [logical_id]
        handler = import_handler(stack, logical_id)
        with running_as(stack, logical_id):
            return invoke_capturing_output(
                logical_id, handler, event, FakeLambdaContext(logical_id)
            )

    yield run
    _reset_dependencies()


@pytest.fixture
def capture_stream(registry, stack: LocalStack) -> Iterator[str]:
    """The stream real-time capture reaches through PredictFunction's log subscription."""
    stream = provision_delivery_stream(stack, aws.client("firehose"), "CaptureLogDeliveryStream")
    listener = forward_subscribed_lines(stack, lambda: platform_client("firehose"))
    add_listener(listener)
    yield stream
    remove_listener(listener)


@pytest.fixture
def alarm_stack(registry) -> LocalStack:
    """The template with the drift alarm at 1 of 1 periods: every run here is in one hour."""
    stack = LocalStack(
        parameter_overrides={"DriftAlarmDatapointsToAlarm": "1", "DriftAlarmEvaluationPeriods": "1"}
    )
    provision_alarms(stack, aws.client("cloudwatch"))
    return stack


@pytest.fixture(scope="session")
def traffic_source() -> np.ndarray:
    return load_bundled("breast_cancer").matrix()


def traffic(source: np.ndarray, rows: int, *, seed: int, scale_first: int = 0) -> np.ndarray:
    """Rows drawn from the training data; the first ``scale_first`` features scaled by 1.6."""
    rng = np.random.default_rng(seed)
    sample = source[rng.integers(0, source.shape[0], rows)].copy()
    sample[:, :scale_first] *= 1.6
    return sample


def predict_event(rows: np.ndarray, request_id: str) -> dict[str, Any]:
    event = copy.deepcopy(load_event("predict_array_rows"))
    event["body"] = json.dumps({"instances": rows.tolist()})
    event["requestContext"]["requestId"] = request_id
    return event


def wait_for_the_next_whole_second() -> None:
    """Drift windows end on a second that has fully passed (S3 keeps whole seconds)."""
    time.sleep(1.05 + (1 - time.time() % 1))


def metric_values(name: str, dimensions: dict[str, str]) -> list[float]:
    from sklambda_local.alarms import moto_datapoints

    return [value for _, value in moto_datapoints("Sklambda", name, dimensions)]
