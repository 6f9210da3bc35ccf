"""Demo steps for monitoring: capture, drift runs an alarm period apart, the drift alarm as
CloudWatch evaluates it, and ground-truth labels arriving through S3 -> EventBridge.

Each step takes the DemoContext; demo.py runs them in its STEPS order.
"""

import json
import time
from typing import Any

import boto3
import numpy as np

from sklambda.storage.keys import LABELS_PREFIX
from sklambda_local.alarms import moto_datapoints
from sklambda_local.local_api import post_json

ROWS_PER_REQUEST = 40
REQUESTS = 20
SHIFTED_FEATURES = 8
LABELS_RULE = "GroundTruthFunction.LabelsUploaded"
_served_request_ids: list[tuple[str, list[Any]]] = []


def _client(service: str) -> Any:
    from sklambda import aws

    return aws.client(service)


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
    ctx.console.say(
        f"{len(rows)} rows in {len(rows) // ROWS_PER_REQUEST} requests, captured as log lines "
        "(subscription filter -> Firehose -> capture/)"
    )


def send_shifted_traffic(ctx: Any, seed: int) -> None:
    _send(ctx, _rows(scale_first=SHIFTED_FEATURES, seed=seed))
    ctx.console.say(f"the first {SHIFTED_FEATURES} features scaled by 1.6")


def invoke(ctx: Any, logical_id: str, event: dict[str, Any]) -> dict[str, Any]:
    """On demand, as `aws lambda invoke` would; the bridge runs the handler in-process."""
    response = boto3.client("lambda").invoke(
        FunctionName=ctx.stack.name_of(logical_id), Payload=json.dumps(event).encode()
    )
    result: dict[str, Any] = json.loads(response["Payload"].read())
    if response.get("FunctionError"):
        raise RuntimeError(f"{logical_id} failed: {result}")
    return result


def next_alarm_period(ctx: Any) -> None:
    """The hourly schedule's next run falls in the drift alarm's next period."""
    period = int(ctx.stack.parameter("DriftAlarmPeriodSeconds"))
    moment = ctx.cloud.clock.advance(period)
    ctx.console.say(f"local clock +{period}s (one DriftAlarm period): {moment:%H:%M}Z")


def run_drift(ctx: Any) -> dict[str, Any]:
    # Windows end on a whole second that has passed; let the last capture settle.
    time.sleep(1.05 + (1 - time.time() % 1))
    result = invoke(ctx, "DriftFunction", {})
    for version in result["versions"]:
        drifted = version["drifted_features"]
        ctx.console.say(
            f"DriftFunction on {version['model_version']}: {version['sample_size']} rows, max PSI "
            f"{version['max_psi']:.3f}, prediction PSI {version['prediction_psi']:.3f}, "
            f"{len(drifted)} drifted feature(s)"
            + (f": {', '.join(drifted[:4])}{', …' if len(drifted) > 4 else ''}" if drifted else "")
        )
    return result


def evaluate_alarms(ctx: Any) -> dict[str, Any]:
    """CloudWatch's evaluation with the template's periods, datapoints and missing data."""
    model = {"ModelName": ctx.stack.parameter("ModelName")}
    psi = [
        f"{moment:%H:%M} {value:.3f}"
        for moment, value in moto_datapoints("Sklambda", "MaxPSI", model)
    ]
    ctx.console.say(f"MaxPSI in CloudWatch (local time, value): {', '.join(psi)}")
    results = ctx.cloud.evaluate_alarms()
    states = ", ".join(f"{logical_id} {result.state}" for logical_id, result in results.items())
    ctx.console.say(f"evaluated: {states}")
    ctx.console.say(f"DriftAlarm: {results['DriftAlarm'].reason}")
    return results


def first_drift_run(ctx: Any) -> None:
    _send(ctx, _rows(scale_first=0, seed=11))
    run_drift(ctx)
    evaluate_alarms(ctx)


def second_drift_run(ctx: Any) -> None:
    next_alarm_period(ctx)
    send_shifted_traffic(ctx, seed=12)
    run_drift(ctx)
    evaluate_alarms(ctx)
    ctx.console.say(
        "one breaching period is not enough: the template asks for "
        f"{ctx.stack.parameter('DriftAlarmDatapointsToAlarm')} of "
        f"{ctx.stack.parameter('DriftAlarmEvaluationPeriods')}"
    )


def upload_labels(ctx: Any) -> None:
    # Outcomes for the first requests: the served prediction, with one row in twenty flipped.
    lines = ["request_id,row,label"]
    for number, (request_id, predictions) in enumerate(_served_request_ids[:10]):
        for row, predicted in enumerate(predictions):
            label = 1 - predicted if (number * len(predictions) + row) % 20 == 0 else predicted
            lines.append(f"{request_id},{row},{label}")
    lines.append("never-served,0,1")
    key = f"{LABELS_PREFIX}demo/outcomes.csv"
    before = len(ctx.cloud.bus.delivered_to(LABELS_RULE))
    _client("s3").put_object(Bucket=ctx.bucket, Key=key, Body="\n".join(lines).encode())
    delivery = ctx.cloud.bus.wait_for_delivery(LABELS_RULE, before)
    if delivery.failed:
        raise RuntimeError(f"GroundTruthFunction failed: {delivery.result}")
    result = delivery.result
    ctx.console.say(f"s3://{ctx.bucket}/{key} -> EventBridge -> {LABELS_RULE}")
    ctx.console.say(
        f"{result['labels']} labels: {result['matched']} matched, {result['unmatched']} unmatched"
    )
    for version, scores in result["scores"].items():
        shown = ", ".join(f"{name}={value:.3f}" for name, value in scores.items())
        ctx.console.say(f"{version}: {shown}")


STEPS = [
    ("Normal traffic, captured as log lines, then drift run 1", first_drift_run),
    ("Next hour: traffic with shifted features, drift run 2", second_drift_run),
    ("Uploading labels: S3 -> EventBridge -> GroundTruthFunction", upload_labels),
]
