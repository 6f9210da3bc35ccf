"""Demo steps for monitoring: capture, drift, the drift alarm, reports and labels.

Each step takes the DemoContext; demo.py runs them in its STEPS order.
"""

import json
import time
from typing import Any

import boto3
import numpy as np

from sklambda_local.alarms import evaluate_alarms, moto_datapoints
from sklambda_local.emf import emf_to_cloudwatch
from sklambda_local.function_logs import add_listener
from sklambda_local.lambda_bridge import lambda_invokes_run_in_process
from sklambda_local.local_api import post_json
from sklambda_local.log_subscriptions import forward_subscribed_lines
from sklambda_local.template import PROJECT_ROOT, LocalStack

ROWS_PER_REQUEST = 20
REQUESTS = 40
SHIFTED_FEATURES = 8
# Every demo run falls in one alarm period, so the demo evaluates "1 of 1"; the deployed
# default is DriftAlarmDatapointsToAlarm of DriftAlarmEvaluationPeriods (2 of 3).
DEMO_ALARM_OVERRIDES = {"DriftAlarmDatapointsToAlarm": "1", "DriftAlarmEvaluationPeriods": "1"}
_served_request_ids: list[tuple[str, list[Any]]] = []


def _client(service: str) -> Any:
    from sklambda import aws

    return aws.client(service)


def _alarm_stack(ctx: Any) -> LocalStack:
    return LocalStack(parameter_overrides={**ctx.stack.parameter_overrides, **DEMO_ALARM_OVERRIDES})


def create_monitoring_resources(ctx: Any) -> None:
    from sklambda_local.provision import (
        provision_alarms,
        provision_dashboards,
        provision_delivery_stream,
    )

    batch_stream = provision_delivery_stream(
        ctx.stack, _client("firehose"), "CaptureDeliveryStream"
    )
    log_stream = provision_delivery_stream(
        ctx.stack, _client("firehose"), "CaptureLogDeliveryStream"
    )
    alarms = provision_alarms(_alarm_stack(ctx), _client("cloudwatch"))
    dashboards = provision_dashboards(ctx.stack, _client("cloudwatch"))
    add_listener(emf_to_cloudwatch(lambda: _client("cloudwatch")))
    add_listener(forward_subscribed_lines(ctx.stack, lambda: _client("firehose")))
    ctx.console.say(
        f"predict capture: log lines -> subscription filter -> {log_stream} "
        f"-> s3://{ctx.bucket}/capture/"
    )
    ctx.console.say(
        f"batch capture: PutRecordBatch -> {batch_stream} -> s3://{ctx.bucket}/capture/"
    )
    ctx.console.say(f"alarms: {', '.join(alarms)}")
    ctx.console.say(f"dashboard: {', '.join(dashboards)}")
    ctx.console.say("EMF lines the functions print now become CloudWatch metric data")


def _rows(scale_first: int, seed: int) -> np.ndarray:
    from sklambda.training.data import load_bundled

    source = load_bundled("breast_cancer").matrix()
    rng = np.random.default_rng(seed)
    rows = source[rng.integers(0, source.shape[0], REQUESTS * ROWS_PER_REQUEST)].copy()
    rows[:, :scale_first] *= 1.6
    return rows


def _send(ctx: Any, rows: np.ndarray) -> None:
    for start in range(0, len(rows), ROWS_PER_REQUEST):
        chunk = rows[start : start + ROWS_PER_REQUEST]
        status, body = post_json(f"{ctx.api_url}/predict", {"instances": chunk.tolist()})
        if status != 200:
            raise RuntimeError(f"POST /predict answered {status}: {body}")
        _served_request_ids.append((body["request_id"], body["predictions"]))
    ctx.console.say(f"{len(rows)} rows in {len(rows) // ROWS_PER_REQUEST} requests")


def send_normal_traffic(ctx: Any) -> None:
    _send(ctx, _rows(scale_first=0, seed=11))


def send_shifted_traffic(ctx: Any) -> None:
    _send(ctx, _rows(scale_first=SHIFTED_FEATURES, seed=12))
    ctx.console.say(f"the first {SHIFTED_FEATURES} features were scaled by 1.6")


def _invoke(ctx: Any, logical_id: str, event: dict[str, Any]) -> dict[str, Any]:
    """On demand, as `aws lambda invoke` would; the bridge runs the handler in-process."""
    overrides = {logical_id: {"MODEL_CACHE_DIR": str(ctx.workdir / "model-cache")}}
    with lambda_invokes_run_in_process(ctx.stack, overrides):
        response = boto3.client("lambda").invoke(
            FunctionName=ctx.stack.name_of(logical_id), Payload=json.dumps(event).encode()
        )
    result: dict[str, Any] = json.loads(response["Payload"].read())
    if response.get("FunctionError"):
        raise RuntimeError(f"{logical_id} failed: {result}")
    return result


def _run_drift(ctx: Any) -> dict[str, Any]:
    # Windows end on a whole second that has passed; let the last capture settle.
    time.sleep(1.05 + (1 - time.time() % 1))
    result = _invoke(ctx, "DriftFunction", {})
    for version in result["versions"]:
        drifted = version["drifted_features"]
        ctx.console.say(
            f"{version['model_version']}: {version['sample_size']} rows, max PSI "
            f"{version['max_psi']:.3f}, prediction PSI {version['prediction_psi']:.3f}, "
            f"{len(drifted)} drifted feature(s){': ' + ', '.join(drifted) if drifted else ''}"
        )
    return result


def _show_alarms(ctx: Any) -> None:
    results = evaluate_alarms(_alarm_stack(ctx), _client("cloudwatch"))
    for logical_id, evaluation in results.items():
        ctx.console.say(f"{logical_id}: {evaluation.state}")
    ctx.console.say(f"DriftAlarm reason: {results['DriftAlarm'].reason}")


def evaluate_normal_traffic(ctx: Any) -> None:
    _run_drift(ctx)
    _show_alarms(ctx)


def evaluate_shifted_traffic(ctx: Any) -> None:
    result = _run_drift(ctx)
    model = {"ModelName": ctx.stack.parameter("ModelName")}
    psi = [round(value, 3) for _, value in moto_datapoints("Sklambda", "MaxPSI", model)]
    ctx.console.say(f"MaxPSI in CloudWatch, one value per run: {psi}")
    _show_alarms(ctx)
    (version,) = result["versions"]
    key = version["html_report"].removeprefix(f"s3://{ctx.bucket}/")
    html = _client("s3").get_object(Bucket=ctx.bucket, Key=key)["Body"].read()
    local = ctx.workdir / "drift-report.html"
    local.write_bytes(html)
    ctx.console.say(f"HTML report: {version['html_report']}")
    ctx.console.say(f"  and a copy to open in a browser: {local}")


def upload_labels(ctx: Any) -> None:
    # Outcomes for the first requests: the served prediction, with one row in ten flipped.
    lines = ["request_id,row,label"]
    for number, (request_id, predictions) in enumerate(_served_request_ids[:10]):
        for row, predicted in enumerate(predictions):
            label = 1 - predicted if (number * len(predictions) + row) % 10 == 0 else predicted
            lines.append(f"{request_id},{row},{label}")
    lines.append("never-served,0,1")
    key = "labels/demo/outcomes.csv"
    _client("s3").put_object(Bucket=ctx.bucket, Key=key, Body="\n".join(lines).encode())
    event = json.loads((PROJECT_ROOT / "events" / "labels_uploaded.json").read_text())
    event["detail"]["bucket"]["name"] = ctx.bucket
    event["detail"]["object"]["key"] = key
    result = _invoke(ctx, "GroundTruthFunction", event)
    ctx.console.say(
        f"{result['labels']} labels: {result['matched']} matched, {result['unmatched']} unmatched"
    )
    for version, scores in result["scores"].items():
        shown = ", ".join(f"{name}={value:.3f}" for name, value in scores.items())
        ctx.console.say(f"{version}: {shown}")
    ctx.console.say(f"labelled rows for retraining: {', '.join(result['labelled_data'])}")


STEPS = [
    ("Sending normal traffic (captured as log lines, forwarded to Firehose)", send_normal_traffic),
    ("Evaluating drift of the normal traffic", evaluate_normal_traffic),
    ("Sending traffic with shifted features", send_shifted_traffic),
    ("Evaluating drift again: metrics, alarm and HTML report", evaluate_shifted_traffic),
    ("Uploading ground-truth labels for served requests", upload_labels),
]
