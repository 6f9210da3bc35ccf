"""`make demo`: the whole local loop on an embedded AWS, no account and no Docker needed.

`make serve` runs the same loop and then keeps the stack running for a person to use.
"""

import argparse
import json
import signal
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sklambda_local.cloud import LocalCloud
from sklambda_local.console import Console
from sklambda_local.embedded_aws import LOCAL_CREDENTIALS, embedded_aws
from sklambda_local.template import PROJECT_ROOT, LocalStack

DEMO_DIR = PROJECT_ROOT / ".demo"
ENV_FILE = DEMO_DIR / "env"
NOTIFICATION_READER = "demo-notifications"


@dataclass
class DemoContext:
    """What every demo step can use: the stack, the registry, the running API, the output."""

    console: Console
    stack: LocalStack
    endpoint_url: str
    bucket: str
    registry: Any
    api_url: str
    workdir: Path
    cloud: LocalCloud
    champion_training: Any
    notifications_url: str

    def notifications(self) -> list[str]:
        from sklambda import aws

        sqs = aws.client("sqs")
        received = sqs.receive_message(
            QueueUrl=self.notifications_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", [])
        for message in received:
            sqs.delete_message(
                QueueUrl=self.notifications_url, ReceiptHandle=message["ReceiptHandle"]
            )
        return [str(json.loads(message["Body"])["Message"]) for message in received]


def _sample_rows() -> tuple[list[dict[str, float]], list[list[float]]]:
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    names = [str(name) for name in data.feature_names]
    objects = [dict(zip(names, map(float, data.data[index]), strict=True)) for index in (0, 19)]
    arrays = [list(map(float, data.data[index])) for index in (7, 50, 120)]
    return objects, arrays


def _show(console: Console, label: str, status: int, body: Any) -> None:
    if status == 200 and "predictions" in body:
        console.say(
            f"{label}: {status} predictions={body['predictions']} "
            f"model_version={body['model_version']}"
        )
    elif isinstance(body, dict) and "error" in body:
        console.say(f"{label}: {status} {body['error']['message']}")
    else:
        console.say(f"{label}: {status} {json.dumps(body)[:300]}")


def serve_predictions(ctx: DemoContext) -> None:
    from sklambda_local.local_api import post_json

    objects, arrays = _sample_rows()
    bad = {**objects[0], "mean radius": "large"}
    del bad["mean texture"]
    requests: list[tuple[str, Any]] = [
        ("one row as an object", {"instances": objects[:1]}),
        ("three rows as arrays", {"instances": arrays}),
        ("a bad row", {"instances": [objects[1], bad]}),
        ("malformed JSON", b'{"instances": [}'),
    ]
    for label, payload in requests:
        status, body = post_json(f"{ctx.api_url}/predict", payload)
        _show(ctx.console, label, status, body)


DemoStep = tuple[str, Callable[[DemoContext], None]]


def _steps() -> list[DemoStep]:
    from sklambda_local import demo_batch, demo_monitoring, demo_retrain, demo_rollback

    return [
        ("Sending sample requests to POST /predict", serve_predictions),
        ("Uploading files to incoming/: S3 -> EventBridge -> BatchScoreFunction", demo_batch.run),
        *demo_monitoring.STEPS,
        *demo_retrain.STEPS,
        ("Rollback watch: a promoted version fails on live traffic", demo_rollback.run),
    ]


# A short champion TTL so the demo sees a promotion served within seconds (dev deploys use 30).
DEMO_PARAMETERS = {"ModelCacheTtlSeconds": "2"}


def function_overrides(stack: LocalStack, workdir: Path) -> dict[str, dict[str, str]]:
    """Where local functions keep files, and demo-sized limits; the rest is the template's."""
    overrides = {
        logical_id: {"MODEL_CACHE_DIR": str(workdir / "model-cache")}
        for logical_id in stack.function_ids
    }
    # A demo-sized "large" file: anything above 1 MB goes to the Distributed Map.
    overrides["BatchScoreFunction"].update(
        {"BATCH_DISTRIBUTED_THRESHOLD_MB": "1", "BATCH_MAP_CHUNK_MB": "1"}
    )
    # The demo's labelled data is 569 rows; hold out 30% of them as the fresh holdout.
    overrides["TrainFunction"].update(
        {"TRAIN_WORK_DIR": str(workdir / "train"), "MIN_FRESH_HOLDOUT_ROWS": "100"}
    )
    return overrides


def _publish_champion(console: Console, registry: Any, workdir: Path) -> Any:
    from sklambda.registry.bundle import publish_bundle
    from sklambda.training.data import load_bundled
    from sklambda.training.train import save_bundle, train_model

    trained = train_model(load_bundled("breast_cancer"), model_name=registry.model_name)
    save_bundle(trained, workdir / "bundle")
    manifest = publish_bundle(registry, workdir / "bundle")
    registry.promote(manifest.version or "", reason="demo")
    metrics = ", ".join(f"{name}={value:.3f}" for name, value in manifest.metrics.items())
    console.say(f"{manifest.estimator} on {manifest.training_data.rows} rows: {metrics}")
    console.say(f"published and promoted {manifest.model_name} {manifest.version}")
    return trained


def _enable_step_functions(endpoint_url: str) -> None:
    """moto runs state machine definitions only when asked, in server mode through its API."""
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 - the demo's own loopback moto server
        f"{endpoint_url}/moto-api/config",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).close()  # noqa: S310


def _subscribe_reader(stack: LocalStack) -> str:
    """A queue on the notification topic, to read what a person would receive."""
    from sklambda import aws

    sqs = aws.client("sqs")
    queue = str(sqs.create_queue(QueueName=NOTIFICATION_READER)["QueueUrl"])
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    aws.client("sns").subscribe(
        TopicArn=stack.arn_of("NotificationTopic"), Protocol="sqs", Endpoint=arn
    )
    return queue


def run(serve: bool, port: int) -> None:
    from sklambda_local.function_logs import write_function_logs_to

    warnings.filterwarnings("ignore", message="No application metrics to publish")
    warnings.filterwarnings("ignore", message="ToleratedFailurePercentagePath")
    started = time.perf_counter()
    console = Console()
    workdir = DEMO_DIR
    workdir.mkdir(exist_ok=True)
    write_function_logs_to(workdir / "function-logs.txt")
    with console.step("Starting the embedded AWS (a moto server on 127.0.0.1)"):
        aws_context = embedded_aws()
        endpoint_url = aws_context.__enter__()
        _enable_step_functions(endpoint_url)
        console.say(f"endpoint {endpoint_url}")
    try:
        from sklambda import aws
        from sklambda_local.api_metrics import api_gateway_metrics, api_name
        from sklambda_local.cloud import local_cloud
        from sklambda_local.functions import apply_environment, import_handler
        from sklambda_local.local_api import serve_function
        from sklambda_local.provision import provision_stack, stack_registry

        stack = LocalStack(parameter_overrides=DEMO_PARAMETERS)
        with console.step("Creating the stack's resources from template.yaml"):
            bucket = provision_stack(stack, aws.client)
            notifications_url = _subscribe_reader(stack)
            console.say(
                f"bucket {bucket} (encrypted, versioned, EventBridge notifications on), "
                "manifest signing key"
            )
            console.say(
                "2 capture streams, 4 alarms, dashboard, notification topic (KMS), "
                "3 state machines (retrain, rollback, batch) and the batch failure queue"
            )
        registry = stack_registry(stack, aws.client, bucket)
        with console.step("Training the example model and publishing it to the registry"):
            trained = _publish_champion(console, registry, workdir)
        setup_seconds = time.perf_counter() - started
        overrides = function_overrides(stack, workdir)
        apply_environment(stack, "PredictFunction", **overrides["PredictFunction"])
        handler = import_handler(stack, "PredictFunction")
        stage = stack.parameter("Stage")
        with local_cloud(stack, aws.client, overrides) as cloud:
            metrics = api_gateway_metrics(
                lambda: aws.client("cloudwatch"), api_name(stack), stage, cloud.clock
            )
            with serve_function(
                handler,
                stack=stack,
                function_name="PredictFunction",
                stage=stage,
                port=port,
                on_response=metrics,
            ) as url:
                console.say(
                    f"PredictFunction serves on {url} (API Gateway proxy events, in-process)"
                )
                console.say(
                    "S3 -> EventBridge -> rules -> functions and state machines, "
                    "Lambda tasks answered in-process, alarms evaluated on the local clock"
                )
                ctx = DemoContext(
                    console,
                    stack,
                    endpoint_url,
                    bucket,
                    registry,
                    url,
                    workdir,
                    cloud,
                    trained,
                    notifications_url,
                )
                loop_started = time.perf_counter()
                for title, step in _steps():
                    with console.step(title):
                        step(ctx)
                loop_seconds = time.perf_counter() - loop_started
                print(
                    f"\nThe loop took {loop_seconds:.1f}s after {setup_seconds:.1f}s of set-up "
                    f"(embedded AWS, resources, first training).",
                    flush=True,
                )
                if serve:
                    _wait_for_person(console, ctx)
    finally:
        aws_context.__exit__(None, None, None)
        ENV_FILE.unlink(missing_ok=True)
    print(f"\nDemo finished. Function logs and EMF metrics: {workdir / 'function-logs.txt'}")


def environment_lines(endpoint_url: str, bucket: str, api_url: str) -> list[str]:
    """Shell lines that point the AWS CLI, boto3 and the sklambda CLI at the running stack."""
    values = {
        **LOCAL_CREDENTIALS,
        "AWS_ENDPOINT_URL": endpoint_url,
        "SKLAMBDA_BUCKET": bucket,
        "SKLAMBDA_API_URL": api_url,
    }
    return [f"export {key}={value}" for key, value in values.items()]


def _wait_for_person(console: Console, ctx: DemoContext) -> None:
    url = ctx.api_url
    ENV_FILE.write_text("\n".join(environment_lines(ctx.endpoint_url, ctx.bucket, url)) + "\n")
    console.say("")
    console.say("Everything keeps running until Ctrl-C: the embedded AWS, the API, the event")
    console.say("bus (uploads to incoming/ and labels/ reach their functions), Step Functions")
    console.say("with Lambda tasks answered here, and the alarm evaluator (every 60 s).")
    console.say("")
    console.say('Point a shell at it:  eval "$(make -s env)"')
    console.say("Score a file:         .venv/bin/sklambda score my.csv --wait")
    console.say(f"Health and model:     curl -s {url}/health ; curl -s {url}/model")
    console.say(f"Predict:              .venv/bin/sklambda predict --no-auth --url {url} --data …")
    console.say("Models and runs:      .venv/bin/sklambda models ; .venv/bin/sklambda runs")
    # A service manager's TERM ends it as cleanly as Ctrl-C (and removes the env file).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        while True:
            time.sleep(60)
            ctx.cloud.evaluate_alarms()
    except KeyboardInterrupt:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serve", action="store_true", help="keep the stack up afterwards")
    parser.add_argument("--port", type=int, default=0, help="local API port (default: any free)")
    args = parser.parse_args()
    run(args.serve, args.port)


if __name__ == "__main__":
    main()
