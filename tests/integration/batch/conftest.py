"""BatchScoreFunction against the embedded AWS, with the state machine executed by moto."""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from moto import mock_aws

from sklambda import aws
from sklambda_local.iam import enforced_iam
from sklambda_local.lambda_bridge import (
    InvocationLog,
    lambda_invokes_run_in_process,
    run_in_process,
)
from sklambda_local.provision import provision_queue, provision_state_machine
from sklambda_local.template import LocalStack
from tests.integration.s3_notifications import (
    BATCH_UPLOAD_RULE,
    S3Notifications,
    s3_notifications,
)

# Small enough that a few thousand rows take the Distributed Map path in several chunks.
SMALL_FILES = {"BatchDistributedThresholdMB": "0.05", "BatchMapChunkMB": "0.02"}


@pytest.fixture
def stack() -> LocalStack:
    return LocalStack(parameter_overrides=SMALL_FILES)


@pytest.fixture
def moto() -> Iterator[None]:
    """The embedded AWS with Step Functions actually running state machine definitions."""
    aws.clear_clients()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}), enforced_iam():
        yield
    aws.clear_clients()


@dataclass
class BatchWorld:
    stack: LocalStack
    log: InvocationLog
    overrides: dict[str, dict[str, str]]
    bucket: str
    state_machine_arn: str
    notifications: S3Notifications

    @property
    def s3(self) -> Any:
        return aws.client("s3")

    def upload(self, key: str, body: bytes | str) -> dict[str, Any]:
        """The event S3's own notification carried to BatchScoreFunction's rule."""
        data = body.encode() if isinstance(body, str) else body
        written = self.s3.put_object(Bucket=self.bucket, Key=key, Body=data)
        return self.notifications.delivered(BATCH_UPLOAD_RULE, key, written.get("VersionId"))

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        payload, failed = run_in_process(
            self.stack, "BatchScoreFunction", event, self.overrides, self.log
        )
        if failed:
            raise RuntimeError(f"{payload['errorType']}: {payload['errorMessage']}")
        return payload

    def read(self, key: str) -> str:
        return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read().decode()

    def chunk_events(self) -> list[dict[str, Any]]:
        return [
            call.event
            for call in self.log.of("BatchScoreFunction")
            if call.event.get("action") == "score_chunk"
        ]

    def exists(self, key: str) -> bool:
        listed = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=key)
        return any(item["Key"] == key for item in listed.get("Contents", []))

    def versions(self, key: str) -> int:
        listed = self.s3.list_object_versions(Bucket=self.bucket, Prefix=key)
        return sum(1 for item in listed.get("Versions", []) if item["Key"] == key)

    def wait_for_executions(self, timeout: float = 60) -> list[dict[str, Any]]:
        sfn = aws.client("stepfunctions")
        deadline = time.monotonic() + timeout
        while True:
            executions = sfn.list_executions(stateMachineArn=self.state_machine_arn)["executions"]
            if executions and all(item["status"] != "RUNNING" for item in executions):
                return [
                    sfn.describe_execution(executionArn=item["executionArn"]) for item in executions
                ]
            if time.monotonic() > deadline:
                raise TimeoutError(f"executions still running: {executions}")
            time.sleep(0.05)


@pytest.fixture
def batch(registry, stack: LocalStack, tmp_path) -> Iterator[BatchWorld]:
    from batch_handler import dependencies

    dependencies.reset()
    state_machine = provision_state_machine(
        stack, aws.client("stepfunctions"), "BatchScoreStateMachine"
    )
    provision_queue(stack, aws.client("sqs"), "BatchFailureQueue")
    overrides = {"BatchScoreFunction": {"MODEL_CACHE_DIR": str(tmp_path / "models")}}
    with (
        lambda_invokes_run_in_process(stack, overrides) as log,
        s3_notifications(stack) as notifications,
    ):
        yield BatchWorld(stack, log, overrides, registry.bucket, state_machine, notifications)
    dependencies.reset()


@pytest.fixture
def sweep_event() -> Callable[[], dict[str, Any]]:
    from tests.integration.conftest import load_event

    return lambda: load_event("batch_scheduled_sweep")
