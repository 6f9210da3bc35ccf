"""Demo step: drifted traffic, labels arrive, the drift alarm fires, and the retraining run
trains, judges and promotes a new champion that then serves - printed state by state."""

import json
import time
import urllib.request
from typing import Any

import numpy as np

from sklambda import aws
from sklambda.retraining.data import Example, to_jsonl
from sklambda.storage.keys import ModelKeys
from sklambda.training.data import TrainingData, load_bundled
from sklambda_local.eventbridge import LocalEventBridge, alarm_state_change
from sklambda_local.executions import wait_for_execution
from sklambda_local.lambda_bridge import lambda_invokes_run_in_process
from sklambda_local.local_api import post_json
from sklambda_local.provision import provision_retraining

# A recalibrated sensor: every size feature reads 50% high, so the champion's thresholds misfire.
DRIFT_SCALE = 1.5
DRIFTED_FEATURES = ("radius", "perimeter", "area")
TRAFFIC_ROWS = 40


def _enable_step_functions(endpoint_url: str) -> None:
    """moto runs state machine definitions only when asked, in server mode through its API."""
    request = urllib.request.Request(  # noqa: S310 - the demo's own loopback moto server
        f"{endpoint_url}/moto-api/config",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass


def _drifted(data: TrainingData, seed: int = 7) -> TrainingData:
    rng = np.random.default_rng(seed)
    columns = [
        column * DRIFT_SCALE * rng.normal(1.0, 0.02, size=column.shape)
        if any(word in name for word in DRIFTED_FEATURES)
        else column
        for name, column in zip(data.feature_names, data.columns, strict=True)
    ]
    return TrainingData(data.feature_names, columns, data.target, data.target_name, "drifted")


def _training_csv(data: TrainingData) -> bytes:
    header = ",".join([*data.feature_names, data.target_name])
    rows = (
        ",".join([*(repr(float(column[i])) for column in data.columns), str(int(data.target[i]))])
        for i in range(data.rows)
    )
    return "\n".join([header, *rows, ""]).encode()


def _examples(data: TrainingData) -> list[Example]:
    return [
        Example(
            {
                name: float(column[i])
                for name, column in zip(data.feature_names, data.columns, strict=True)
            },
            int(data.target[i]),
        )
        for i in range(data.rows)
    ]


def _send_drifted_traffic(ctx: Any, drifted: TrainingData) -> None:
    picked = np.random.default_rng(3).choice(drifted.rows, size=TRAFFIC_ROWS, replace=False)
    rows = [[float(column[i]) for column in drifted.columns] for i in picked]
    status, body = post_json(f"{ctx.api_url}/predict", {"instances": rows})
    wrong = sum(
        int(p != t) for p, t in zip(body["predictions"], drifted.target[picked], strict=True)
    )
    ctx.console.say(
        f"POST /predict with {TRAFFIC_ROWS} drifted rows: {status}, model {body['model_version']}, "
        f"{wrong}/{TRAFFIC_ROWS} wrong by the labels that arrive later"
    )


def run(ctx: Any) -> None:
    started = time.perf_counter()
    console, stack = ctx.console, ctx.stack
    _enable_step_functions(ctx.endpoint_url)
    provision_retraining(stack, aws.client)
    sqs, s3 = aws.client("sqs"), aws.client("s3")
    queue = sqs.create_queue(QueueName="demo-notifications")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    aws.client("sns").subscribe(
        TopicArn=stack.arn_of("NotificationTopic"), Protocol="sqs", Endpoint=queue_arn
    )
    console.say("retraining resources from template.yaml: topic (KMS), alarms, 2 state machines")

    original = load_bundled("breast_cancer")
    drifted = _drifted(original)
    s3.put_object(Bucket=ctx.bucket, Key="training/breast_cancer.csv", Body=_training_csv(original))
    _send_drifted_traffic(ctx, drifted)
    labelled = ModelKeys(
        ctx.registry.model_name,
        labelled_prefix=stack.function_environment("TrainFunction")["LABELLED_PREFIX"],
    ).labelled_root
    s3.put_object(
        Bucket=ctx.bucket, Key=f"{labelled}demo/labels.jsonl", Body=to_jsonl(_examples(drifted))
    )
    console.say(
        f"seeded training/ ({original.rows} rows) and "
        f"{labelled} ({drifted.rows} drifted, labelled rows)"
    )

    cloudwatch = aws.client("cloudwatch")
    alarm_name = str(stack.resolve({"Ref": "DriftAlarm"}))
    alarm = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"][0]
    if alarm["StateValue"] == "ALARM":
        console.say(f"alarm {alarm_name} is in ALARM since the drift evaluation above")
    else:
        # Run on its own (without the monitoring steps), the demo sets the state by hand.
        cloudwatch.set_alarm_state(
            AlarmName=alarm_name,
            StateValue="ALARM",
            StateReason=f"size features read {DRIFT_SCALE:.0%} of their training values",
        )
        alarm = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"][0]
        console.say(f"alarm {alarm_name} -> {alarm['StateValue']}")
    console.say("EventBridge delivers its OK -> ALARM state change to the retraining rule")

    sfn = aws.client("stepfunctions")
    cache = str(ctx.workdir / "model-cache")
    overrides = {
        # The demo's drifted data is 569 rows; hold out 30% of them as the fresh holdout.
        "TrainFunction": {
            "MODEL_CACHE_DIR": cache,
            "TRAIN_WORK_DIR": str(ctx.workdir / "train"),
            "MIN_FRESH_HOLDOUT_ROWS": "100",
        },
        "EvaluateFunction": {"MODEL_CACHE_DIR": cache},
    }
    with lambda_invokes_run_in_process(stack, overrides):
        (execution,) = LocalEventBridge(stack, sfn).put_event(alarm_state_change(alarm, "OK"))
        console.say(f"retraining run {execution.rsplit(':', 1)[1]}:")
        described = wait_for_execution(
            sfn, execution, 300, on_state=lambda name: console.say(f"  -> {name}")
        )
    took = (described["stopDate"] - described["startDate"]).total_seconds()
    console.say(f"run {described['status']} in {took:.1f}s")
    for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
        console.say("notification:")
        for line in json.loads(message["Body"])["Message"].splitlines():
            console.say(f"  | {line}")

    champion = ctx.registry.alias()
    console.say(
        f"champion is now {champion.pointer.version} (previous {champion.pointer.previous})"
    )
    time.sleep(float(stack.parameter("ModelCacheTtlSeconds")) + 0.1)
    _send_drifted_traffic(ctx, drifted)
    loop_seconds = time.perf_counter() - started
    console.say(f"whole loop (traffic, alarm, run, new champion serving): {loop_seconds:.1f}s")
