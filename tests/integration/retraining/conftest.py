"""The retraining loop on an executing moto: template-built resources, real ASL, handlers
in-process, and a queue subscribed to the notification topic to read what a person would."""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from moto import mock_aws

from retrain_handler.settings import TrainSettings
from sklambda import aws
from sklambda.registry.bundle import publish_bundle
from sklambda.registry.store import ModelRegistry
from sklambda.retraining.data import Example, to_jsonl
from sklambda.training.data import TrainingData, load_bundled
from sklambda.training.train import save_bundle, train_model
from sklambda_local.eventbridge import LocalEventBridge
from sklambda_local.executions import wait_for_execution
from sklambda_local.iam import enforced_iam
from sklambda_local.lambda_bridge import InvocationLog, lambda_invokes_run_in_process
from sklambda_local.provision import provision_registry, provision_retraining
from sklambda_local.template import LocalStack
from tests.integration.conftest import load_event

# Small boosters keep a whole run well under a second of training.
FAST = {"max_iter": 15, "max_leaf_nodes": 8}


def shuffled_labels(data: TrainingData, seed: int = 1) -> TrainingData:
    """A model trained on these has learned nothing: the reference for a worse model."""
    target = np.random.default_rng(seed).permutation(data.target)
    return TrainingData(data.feature_names, data.columns, target, data.target_name, "shuffled")


def as_csv(data: TrainingData) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*data.feature_names, data.target_name])
    for index in range(data.rows):
        writer.writerow(
            [*(repr(float(column[index])) for column in data.columns), data.target[index]]
        )
    return buffer.getvalue().encode()


def as_examples(data: TrainingData, rows: slice) -> list[Example]:
    return [
        Example(
            {
                name: float(column[i])
                for name, column in zip(data.feature_names, data.columns, strict=True)
            },
            int(data.target[i]),
        )
        for i in range(data.rows)[rows]
    ]


@dataclass
class Loop:
    stack: LocalStack
    bucket: str
    registry: ModelRegistry
    sfn: Any
    eventbridge: LocalEventBridge
    invocations: InvocationLog
    queue_url: str
    workdir: Path
    overrides: dict[str, dict[str, str]]

    def publish_champion(self, data: TrainingData, pipeline: Any = None) -> str:
        """Promoted as an operator would by hand: no gate, whatever the deployed runtime."""
        trained = train_model(
            data, model_name=self.registry.model_name, hyperparameters=FAST, pipeline=pipeline
        )
        directory = self.workdir / f"bundle-{len(self.registry.version_ids())}"
        save_bundle(trained, directory)
        version = publish_bundle(self.registry, directory).version or ""
        self.registry.promote(version, reason="test champion")
        return version

    def seed_training(self, body: bytes, key: str = "training/data.csv") -> None:
        aws.client("s3").put_object(Bucket=self.bucket, Key=key, Body=body)

    def seed_labelled(self, examples: list[Example], partition: str = "2026/11/24") -> None:
        environment = self.stack.function_environment("TrainFunction")
        root = TrainSettings.from_environment(environment).model_keys().labelled_root
        key = f"{root}{partition}/labels.jsonl"
        aws.client("s3").put_object(Bucket=self.bucket, Key=key, Body=to_jsonl(examples))

    def champion(self) -> str:
        state = self.registry.alias()
        assert state is not None
        return state.pointer.version

    def deliver(self, event_name: str) -> list[str]:
        return self.eventbridge.put_event(load_event(event_name))

    def run(self, event_name: str) -> dict[str, Any]:
        (execution,) = self.deliver(event_name)
        return wait_for_execution(self.sfn, execution, timeout_seconds=60)

    def notifications(self) -> list[dict[str, str]]:
        sqs = aws.client("sqs")
        received = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        return [json.loads(message["Body"]) for message in received]

    def run_record(self, execution: dict[str, Any]) -> dict[str, Any]:
        name = execution["executionArn"].rsplit(":", 1)[1]
        body = aws.client("s3").get_object(Bucket=self.bucket, Key=f"retraining/runs/{name}.json")[
            "Body"
        ]
        return dict(json.loads(body.read()))


@pytest.fixture(scope="session")
def breast_cancer() -> TrainingData:
    return load_bundled("breast_cancer")


@pytest.fixture
def loop(stack: LocalStack, tmp_path: Path) -> Iterator[Loop]:
    from retrain_handler import dependencies

    aws.clear_clients()
    dependencies.reset()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}), enforced_iam():
        registry = provision_registry(stack, aws.client("s3"), aws.client("kms"))
        bucket = registry.bucket
        provision_retraining(stack, aws.client)
        sqs = aws.client("sqs")
        queue_url = sqs.create_queue(QueueName="notifications-reader")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        aws.client("sns").subscribe(
            TopicArn=stack.arn_of("NotificationTopic"), Protocol="sqs", Endpoint=queue_arn
        )
        cache = {"MODEL_CACHE_DIR": str(tmp_path / "model-cache")}
        overrides = {
            "TrainFunction": {
                "TRAIN_WORK_DIR": str(tmp_path / "train"),
                **cache,
                "MIN_FRESH_HOLDOUT_ROWS": "40",
            },
            "EvaluateFunction": cache,
            "PredictFunction": cache,
        }
        with lambda_invokes_run_in_process(stack, overrides) as invocations:
            yield Loop(
                stack=stack,
                bucket=bucket,
                registry=registry,
                sfn=aws.client("stepfunctions"),
                eventbridge=LocalEventBridge(stack, aws.client("stepfunctions")),
                invocations=invocations,
                queue_url=queue_url,
                workdir=tmp_path,
                overrides=overrides,
            )
    dependencies.reset()
    aws.clear_clients()
