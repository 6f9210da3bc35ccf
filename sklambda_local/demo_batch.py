"""The batch part of `make demo`: files uploaded to incoming/ in the embedded S3 reach
BatchScoreFunction as in AWS (S3 -> EventBridge -> rule -> function); a messy CSV is scored
in one invocation, a large file by the Distributed Map state machine."""

import json
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sklambda_local.demo import DemoContext

RULE = "BatchScoreFunction.ObjectCreated"
LARGE_ROWS = 12_000
FINISHED = {"succeeded", "failed"}


def _rows() -> tuple[list[str], list[list[float]]]:
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    return [str(name) for name in data.feature_names], data.data.tolist()


def _csv(names: list[str], rows: list[list[float]], count: int, *, bad_rows: bool) -> str:
    lines = ["patient_id," + ",".join(names)]
    lines += [f"p{index}," + ",".join(map(repr, rows[index % len(rows)])) for index in range(count)]
    if bad_rows:
        lines[3] = "p-typo," + ",".join(["12.5"] * (len(names) - 1)) + ",twelve"
        lines[6] = "p-short,1.0,2.0"
        lines.insert(8, "")
    return "\n".join(lines) + "\n"


def wait_for_run_record(
    s3: Any, bucket: str, key: str, timeout_seconds: float = 300
) -> dict[str, Any]:
    """The run record of an upload, once its run has finished."""
    from sklambda.storage.keys import batch_run_key

    record_key = batch_run_key(key)
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            record: dict[str, Any] = json.loads(
                s3.get_object(Bucket=bucket, Key=record_key)["Body"].read()
            )
        except s3.exceptions.NoSuchKey:
            record = {}
        if record.get("status") in FINISHED:
            return record
        if time.monotonic() > deadline:
            raise TimeoutError(f"no finished run record at s3://{bucket}/{record_key}")
        time.sleep(0.2)


def _show_summary(ctx: "DemoContext", summary: dict[str, Any]) -> None:
    ctx.console.say(
        f"{summary['input']['key']}: {summary['status']} ({summary['mode']}) — read "
        f"{summary['rows_read']}, scored {summary['rows_scored']}, rejected "
        f"{summary['rows_rejected']}, model {summary['model_version']}, "
        f"{summary['duration_seconds']:.2f} s"
        + (f", {summary['chunks']} chunks" if summary.get("chunks") else "")
    )


def run(ctx: "DemoContext") -> None:
    from sklambda import aws
    from sklambda_local.lambda_bridge import run_in_process

    s3 = aws.client("s3")
    names, rows = _rows()
    key = "incoming/demo/patients.csv"
    before = len(ctx.cloud.bus.delivered_to(RULE))
    s3.put_object(Bucket=ctx.bucket, Key=key, Body=_csv(names, rows, 40, bad_rows=True).encode())
    _show_summary(ctx, wait_for_run_record(s3, ctx.bucket, key))
    rejected = s3.get_object(Bucket=ctx.bucket, Key="rejected/demo/patients.csv")["Body"].read()
    for line in rejected.decode().splitlines()[1:]:
        ctx.console.say(f"  rejected: {line[:110]}")
    delivered = ctx.cloud.bus.wait_for_delivery(RULE, before).event
    ctx.console.say(
        f"the event S3 sent for it (moto's own notification, delivered by the {RULE} rule)"
    )
    again, _ = run_in_process(ctx.stack, "BatchScoreFunction", delivered, ctx.cloud.overrides)
    ctx.console.say(f"the same event delivered again: {again['result']}")

    large = "incoming/demo/patients-large.csv"
    body = _csv(names, rows, LARGE_ROWS, bad_rows=True).encode()
    s3.put_object(Bucket=ctx.bucket, Key=large, Body=body)
    ctx.console.say(f"{large} ({len(body) / 1e6:.1f} MB) uploaded")
    summary = wait_for_run_record(s3, ctx.bucket, large)
    _show_summary(ctx, summary)
