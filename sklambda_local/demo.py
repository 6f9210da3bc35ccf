"""`make demo`: the whole local loop on an embedded AWS, no account and no Docker needed."""

import argparse
import json
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sklambda_local.console import Console
from sklambda_local.embedded_aws import embedded_aws
from sklambda_local.template import PROJECT_ROOT, LocalStack

DEMO_DIR = PROJECT_ROOT / ".demo"


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


def retraining_loop(ctx: DemoContext) -> None:
    from sklambda_local import demo_retrain

    demo_retrain.run(ctx)


DemoStep = tuple[str, Callable[[DemoContext], None]]


def score_batch_files(ctx: DemoContext) -> None:
    from sklambda_local import demo_batch

    demo_batch.run(ctx)


def _monitoring_steps() -> tuple[list[DemoStep], list[DemoStep]]:
    from sklambda_local import demo_monitoring

    setup: list[DemoStep] = [
        ("Creating the monitoring resources", demo_monitoring.create_monitoring_resources)
    ]
    return setup, list(demo_monitoring.STEPS)


_MONITORING_SETUP, _MONITORING_STEPS = _monitoring_steps()
# Capture must exist before the first request, so monitoring resources come first.
STEPS: list[DemoStep] = [
    *_MONITORING_SETUP,
    ("Sending sample requests to POST /predict", serve_predictions),
    ("Scoring files uploaded to incoming/ (batch, then Distributed Map)", score_batch_files),
    *_MONITORING_STEPS,
    ("Drift alarm -> retraining run -> new champion serving", retraining_loop),
]
# A short champion TTL so the demo sees a promotion served within seconds (dev deploys use 30).
DEMO_PARAMETERS = {"ModelCacheTtlSeconds": "2"}


def _publish_champion(console: Console, registry: Any, workdir: Path) -> None:
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


def run(serve: bool, port: int) -> None:
    from sklambda_local.function_logs import write_function_logs_to

    warnings.filterwarnings("ignore", message="No application metrics to publish")
    console = Console()
    workdir = DEMO_DIR
    workdir.mkdir(exist_ok=True)
    write_function_logs_to(workdir / "function-logs.txt")
    with console.step("Starting the embedded AWS (a moto server on 127.0.0.1)"):
        aws_context = embedded_aws()
        endpoint_url = aws_context.__enter__()
        console.say(f"endpoint {endpoint_url}")
    try:
        from sklambda import aws
        from sklambda_local.functions import apply_environment, import_handler
        from sklambda_local.local_api import serve_function
        from sklambda_local.provision import provision_registry

        stack = LocalStack(parameter_overrides=DEMO_PARAMETERS)
        with console.step("Creating the stack's resources from template.yaml"):
            registry = provision_registry(stack, aws.client("s3"), aws.client("kms"))
            console.say(
                f"bucket {registry.bucket} (encrypted, versioned, public access blocked), "
                "manifest signing key"
            )
        with console.step("Training the example model and publishing it to the registry"):
            _publish_champion(console, registry, workdir)
        apply_environment(stack, "PredictFunction", MODEL_CACHE_DIR=str(workdir / "model-cache"))
        handler = import_handler(stack, "PredictFunction")
        stage = stack.parameter("Stage")
        with serve_function(
            handler, function_name="PredictFunction", stage=stage, port=port
        ) as url:
            console.say(f"PredictFunction serves on {url} (API Gateway proxy events, in-process)")
            ctx = DemoContext(console, stack, endpoint_url, registry.bucket, registry, url, workdir)
            for title, step in STEPS:
                with console.step(title):
                    step(ctx)
            if serve:
                _wait_for_person(console, url, endpoint_url, registry.bucket)
    finally:
        aws_context.__exit__(None, None, None)
    print(f"\nDemo finished. Function logs and EMF metrics: {workdir / 'function-logs.txt'}")


def _wait_for_person(console: Console, url: str, endpoint_url: str, bucket: str) -> None:
    console.say("")
    console.say("The API stays up until Ctrl-C. Try:")
    console.say(f"  curl -s {url}/health")
    console.say(f"  curl -s {url}/model")
    console.say(f"  curl -s -X POST {url}/predict -H 'Content-Type: application/json' \\")
    console.say(
        '       -d \'{"instances": [[17.99,10.38,122.8,1001,0.1184,0.2776,0.3001,0.1471,'
        "0.2419,0.07871,1.095,0.9053,8.589,153.4,0.006399,0.04904,0.05373,0.01587,"
        "0.03003,0.006193,25.38,17.33,184.6,2019,0.1622,0.6656,0.7119,0.2654,0.4601,"
        "0.1189]]}'"
    )
    console.say("  or: .venv/bin/sklambda predict --no-auth --url " + url + " --data '[[…]]'")
    console.say(
        f"  and the registry: AWS_ENDPOINT_URL={endpoint_url} AWS_ACCESS_KEY_ID=testing "
        f"AWS_SECRET_ACCESS_KEY=testing .venv/bin/sklambda models --bucket {bucket}"
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serve", action="store_true", help="keep the API up for curl")
    parser.add_argument("--port", type=int, default=0, help="local API port (default: any free)")
    args = parser.parse_args()
    run(args.serve, args.port)


if __name__ == "__main__":
    main()
