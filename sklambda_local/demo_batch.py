"""The batch part of `make demo`: a messy CSV scored in one invocation, then a large file
scored by the Distributed Map state machine, both from incoming/ in the embedded S3."""

import json
import time
import urllib.request
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from sklambda_local import s3_events
from sklambda_local.lambda_bridge import lambda_invokes_run_in_process, run_in_process
from sklambda_local.provision import provision_queue, provision_state_machine

if TYPE_CHECKING:
    from sklambda_local.demo import DemoContext

FUNCTION = "BatchScoreFunction"
LARGE_ROWS = 20_000


def _use_state_machine_interpreter(endpoint_url: str) -> None:
    """moto runs ASL only when told to, and its interpreter calls back on MOTO_PORT."""
    import os

    os.environ["MOTO_PORT"] = str(urlparse(endpoint_url).port)
    request = urllib.request.Request(  # noqa: S310 - the embedded AWS on loopback
        f"{endpoint_url}/moto-api/config",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        method="POST",
    )
    urllib.request.urlopen(request).close()  # noqa: S310


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

    _use_state_machine_interpreter(ctx.endpoint_url)
    s3, sfn = aws.client("s3"), aws.client("stepfunctions")
    machine = provision_state_machine(ctx.stack, sfn, "BatchScoreStateMachine")
    provision_queue(ctx.stack, aws.client("sqs"), "BatchFailureQueue")
    ctx.console.say(
        f"state machine {machine.rsplit(':', 1)[-1]} (Distributed Map) and its failure queue"
    )
    overrides = {
        FUNCTION: {
            "MODEL_CACHE_DIR": str(ctx.workdir / "model-cache"),
            # A demo-sized "large" file: anything above 1 MB goes to the state machine.
            "BATCH_DISTRIBUTED_THRESHOLD_MB": "1",
            "BATCH_MAP_CHUNK_MB": "1",
        }
    }
    names, rows = _rows()
    with lambda_invokes_run_in_process(ctx.stack, overrides):
        key = "incoming/demo/patients.csv"
        s3.put_object(
            Bucket=ctx.bucket, Key=key, Body=_csv(names, rows, 40, bad_rows=True).encode()
        )
        event = s3_events.after_put(s3, ctx.bucket, key)
        outcome, _ = run_in_process(ctx.stack, FUNCTION, event, overrides)
        _show_summary(ctx, outcome["summary"])
        rejected = s3.get_object(Bucket=ctx.bucket, Key="rejected/demo/patients.csv")["Body"].read()
        for line in rejected.decode().splitlines()[1:]:
            ctx.console.say(f"  rejected: {line[:110]}")
        again, _ = run_in_process(ctx.stack, FUNCTION, event, overrides)
        ctx.console.say(f"the same event again: {again['result']}")

        large = "incoming/demo/patients-large.csv"
        body = _csv(names, rows, LARGE_ROWS, bad_rows=True).encode()
        s3.put_object(Bucket=ctx.bucket, Key=large, Body=body)
        started, _ = run_in_process(
            ctx.stack, FUNCTION, s3_events.after_put(s3, ctx.bucket, large), overrides
        )
        ctx.console.say(
            f"{large} ({len(body) / 1e6:.1f} MB) handed to the state machine in "
            f"{started['summary']['chunks']} chunks"
        )
        arn = started["summary"]["execution_arn"]
        deadline = time.monotonic() + 300
        while (status := sfn.describe_execution(executionArn=arn)["status"]) == "RUNNING":
            if time.monotonic() > deadline:
                raise TimeoutError(f"{arn} is still running")
            time.sleep(0.2)
        ctx.console.say(f"execution {status}")
        summary = json.loads(
            s3.get_object(Bucket=ctx.bucket, Key="runs/demo/patients-large.csv.json")["Body"].read()
        )
        _show_summary(ctx, summary)
