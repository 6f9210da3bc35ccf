"""Bring-your-own-model scenarios end to end on moto: publish, serve, batch, drift, retrain.

Each scenario runs the template's functions in-process inside the retraining loop's embedded
AWS, so the same bucket holds the registry, the captured traffic, batch files and training data.
"""

import copy
import csv
import io
import json
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import pytest

from sklambda import aws
from sklambda_local.function_logs import add_listener, remove_listener
from sklambda_local.iam import platform_client, running_as
from sklambda_local.lambda_bridge import run_in_process
from sklambda_local.log_subscriptions import forward_subscribed_lines
from sklambda_local.provision import provision_delivery_stream
from sklambda_local.template import LocalStack
from tests.integration.conftest import load_event
from tests.integration.retraining.conftest import Loop, loop
from tests.integration.s3_notifications import (
    BATCH_UPLOAD_RULE,
    S3Notifications,
    s3_notifications,
)

__all__ = ["Scenario", "as_csv_text", "loop", "scenario"]


def as_csv_text(header: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _reset_function_caches() -> None:
    from batch_handler import dependencies as batch
    from drift_handler import dependencies as drift
    from predict_handler import dependencies as predict

    for module in (batch, drift, predict):
        module.reset()


@dataclass
class Scenario:
    loop: Loop
    overrides: dict[str, dict[str, str]]
    notifications: S3Notifications

    @property
    def bucket(self) -> str:
        return self.loop.bucket

    def run(self, function: str, event: Any) -> Any:
        result, failed = run_in_process(
            self.loop.stack, function, event, self.overrides, self.loop.invocations
        )
        assert not failed, result
        return result

    def as_publisher(self) -> AbstractContextManager[None]:
        """Publishing signs as a user holding only the template's ModelPublisherPolicy."""
        return running_as(self.loop.stack, "ModelPublisherPolicy")

    def predict(self, instances: list[Any], request_id: str = "r1") -> tuple[int, Any]:
        event = copy.deepcopy(load_event("predict_one_row"))
        event["body"] = json.dumps({"instances": instances})
        event["requestContext"]["requestId"] = request_id
        response = self.run("PredictFunction", event)
        return response["statusCode"], json.loads(response["body"])

    def get(self, event_name: str) -> Any:
        return json.loads(self.run("PredictFunction", load_event(event_name))["body"])

    def batch(self, name: str, body: str) -> dict[str, Any]:
        key = f"incoming/{name}"
        s3 = aws.client("s3")
        written = s3.put_object(Bucket=self.bucket, Key=key, Body=body.encode())
        event = self.notifications.delivered(BATCH_UPLOAD_RULE, key, written.get("VersionId"))
        self.run("BatchScoreFunction", event)
        run = s3.get_object(Bucket=self.bucket, Key=f"runs/{name}.json")["Body"].read()
        return dict(json.loads(run))

    def drift(self) -> dict[str, Any]:
        # Drift windows end on a second that has fully passed (S3 keeps whole seconds).
        time.sleep(1.05 + (1 - time.time() % 1))
        return dict(self.run("DriftFunction", load_event("drift_schedule")))

    def retrain(self) -> dict[str, Any]:
        execution = self.loop.run("alarm_drift_state_change")
        assert execution["status"] == "SUCCEEDED", execution
        return self.loop.run_record(execution)


@pytest.fixture
def stack() -> LocalStack:
    """Drift evaluates from 50 captured rows, so one request's worth of traffic is a window."""
    return LocalStack(parameter_overrides={"DriftMinSamples": "50"})


@pytest.fixture(autouse=True)
def publisher_signing_key(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI and notebook publish as a role the stack's key lets sign (ModelPublisherRoleArn)."""
    signing_key = stack.function_environment("PredictFunction")["MODEL_SIGNING_KEY"]
    monkeypatch.setenv("SKLAMBDA_SIGNING_KEY", signing_key)


@pytest.fixture
def scenario(loop: Loop) -> Iterator[Scenario]:
    _reset_function_caches()
    # Real-time capture reaches S3 through PredictFunction's log subscription.
    provision_delivery_stream(loop.stack, aws.client("firehose"), "CaptureLogDeliveryStream")
    listener = forward_subscribed_lines(loop.stack, lambda: platform_client("firehose"))
    add_listener(listener)
    cache = {"MODEL_CACHE_DIR": str(loop.workdir / "function-cache")}
    overrides = {name: cache for name in ("PredictFunction", "BatchScoreFunction", "DriftFunction")}
    with s3_notifications(loop.stack) as notifications:
        yield Scenario(loop, overrides, notifications)
    remove_listener(listener)
    _reset_function_caches()
