import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from sklambda_local.iam import running_as
from sklambda_local.template import LocalStack
from tests.conftest import EVENTS


@dataclass
class FakeLambdaContext:
    function_name: str = "PredictFunction"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:PredictFunction"
    aws_request_id: str = "lambda-request-id"


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"{name}.json").read_text())


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


@pytest.fixture
def predict_env(stack: LocalStack, monkeypatch: pytest.MonkeyPatch, tmp_path) -> dict[str, str]:
    """PredictFunction's environment exactly as template.yaml sets it (cache dir made writable)."""
    environment = stack.function_environment("PredictFunction")
    environment["MODEL_CACHE_DIR"] = str(tmp_path / "model-cache")
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    return environment


@pytest.fixture
def invoke_predict(
    predict_env: dict[str, str], lambda_context: FakeLambdaContext, moto: None, stack: LocalStack
) -> Iterator[Callable[[dict[str, Any]], dict[str, Any]]]:
    from predict_handler import dependencies

    dependencies.reset()
    from predict_handler.handlers.api import lambda_handler

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        with running_as(stack, "PredictFunction"):
            response = lambda_handler(event, lambda_context)
        response["json"] = json.loads(response["body"]) if response.get("body") else None
        return response

    yield invoke
    dependencies.reset()
