"""Demo steps: retraining data arrives, the third drift run breaches a second period, the
drift alarm is raised by CloudWatch's evaluation, and its state change starts the retraining
run, which trains, judges and promotes a new champion that then serves."""

import time
from typing import Any

import numpy as np

from sklambda import aws
from sklambda.retraining.data import Example, to_jsonl
from sklambda.storage.keys import ModelKeys
from sklambda.training.data import TrainingData, load_bundled
from sklambda_local import demo_monitoring
from sklambda_local.executions import wait_for_execution
from sklambda_local.local_api import post_json

# A recalibrated sensor: every size feature reads 50% high, so the champion's thresholds misfire.
DRIFT_SCALE = 1.5
DRIFTED_FEATURES = ("radius", "perimeter", "area")
TRAFFIC_ROWS = 40
RETRAIN_RULE = "RetrainStateMachine.DriftOrPerformanceAlarm"
TRIGGER_PREFIX = "Trigger: "


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


def seed_retraining_data(ctx: Any) -> None:
    s3 = aws.client("s3")
    original = load_bundled("breast_cancer")
    drifted = _drifted(original)
    s3.put_object(Bucket=ctx.bucket, Key="training/breast_cancer.csv", Body=_training_csv(original))
    _send_drifted_traffic(ctx, drifted)
    labelled = ModelKeys(
        ctx.registry.model_name,
        labelled_prefix=ctx.stack.function_environment("TrainFunction")["LABELLED_PREFIX"],
    ).labelled_root
    s3.put_object(
        Bucket=ctx.bucket, Key=f"{labelled}demo/labels.jsonl", Body=to_jsonl(_examples(drifted))
    )
    ctx.console.say(
        f"seeded training/ ({original.rows} rows) and "
        f"{labelled} ({drifted.rows} drifted, labelled rows)"
    )


def trigger_reason(message: str) -> str:
    """The reason a notification gives for its run (after "Trigger: <kind> (<source>): ")."""
    line = next(line for line in message.splitlines() if line.startswith(TRIGGER_PREFIX))
    return line.split("): ", 1)[1]


def follow_run(ctx: Any, rule: str, before: int) -> dict[str, Any]:
    """The execution the rule started after ``before`` deliveries, followed to its end."""
    deliveries = ctx.cloud.bus.delivered_to(rule)
    if len(deliveries) <= before:
        raise RuntimeError(f"the alarm's state change started nothing through {rule}")
    execution = str(deliveries[before].result)
    ctx.console.say(f"{rule} started run {execution.rsplit(':', 1)[1]}:")
    described = wait_for_execution(
        aws.client("stepfunctions"),
        execution,
        300,
        on_state=lambda name: ctx.console.say(f"  -> {name}"),
    )
    took = (described["stopDate"] - described["startDate"]).total_seconds()
    ctx.console.say(f"run {described['status']} in {took:.1f}s")
    return described


def show_notifications(ctx: Any, alarm_logical_id: str) -> None:
    """Print what a subscriber received, and check its trigger is the alarm's real reason."""
    name = ctx.stack.name_of(alarm_logical_id)
    (alarm,) = aws.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    for message in ctx.notifications():
        ctx.console.say("notification:")
        for line in message.splitlines():
            ctx.console.say(f"  | {line}")
        same = trigger_reason(message) == alarm["StateReason"]
        ctx.console.say(
            f"the trigger line {'is' if same else 'is NOT'} {alarm_logical_id}'s StateReason"
        )
        if not same:
            raise RuntimeError(f"notification reason differs from {name}'s StateReason")


def drift_alarm_retrains(ctx: Any) -> None:
    started = time.perf_counter()
    demo_monitoring.next_alarm_period(ctx)
    demo_monitoring.send_shifted_traffic(ctx, seed=13)
    before = len(ctx.cloud.bus.delivered_to(RETRAIN_RULE))
    result = demo_monitoring.run_drift(ctx)
    evaluations = demo_monitoring.evaluate_alarms(ctx)
    if evaluations["DriftAlarm"].state != "ALARM":
        raise RuntimeError(f"DriftAlarm did not fire: {evaluations['DriftAlarm'].reason}")
    ctx.console.say("CloudWatch's state change OK -> ALARM goes to the default event bus")
    (version,) = result["versions"]
    ctx.console.say(f"drift report: {version['html_report']}")
    follow_run(ctx, RETRAIN_RULE, before)
    show_notifications(ctx, "DriftAlarm")

    champion = ctx.registry.alias()
    ctx.console.say(
        f"champion is now {champion.pointer.version} (previous {champion.pointer.previous})"
    )
    time.sleep(float(ctx.stack.parameter("ModelCacheTtlSeconds")) + 0.1)
    _send_drifted_traffic(ctx, _drifted(load_bundled("breast_cancer")))
    ctx.console.say(
        f"drift run, alarm, retraining run, new champion serving: "
        f"{time.perf_counter() - started:.1f}s"
    )


STEPS = [
    (
        "Retraining data arrives: the original training set and labelled drifted rows",
        seed_retraining_data,
    ),
    (
        "Next hour: drift run 3 -> DriftAlarm -> retraining run -> new champion serving",
        drift_alarm_retrains,
    ),
]
