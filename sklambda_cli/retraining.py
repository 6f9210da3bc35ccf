"""`sklambda retrain` and `sklambda runs`: start a run by hand, and read what runs did."""

import getpass
import json
import sys
import uuid
from datetime import UTC, datetime

from sklambda import aws
from sklambda.errors import SklambdaError
from sklambda.retraining.runs import RunRecord, RunStore
from sklambda.retraining.trigger import retraining_request
from sklambda_cli.executions import wait_for_execution

POLL_SECONDS = 2.0


def start_run(state_machine_arn: str, reason: str, *, wait: bool) -> None:
    parts = state_machine_arn.split(":")
    if len(parts) < 7 or parts[2] != "states":
        raise SklambdaError(f"{state_machine_arn!r} is not a state machine ARN")
    region, account = parts[3], parts[4]
    sfn = aws.client("stepfunctions")
    name = f"manual-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    event = retraining_request(reason, getpass.getuser(), region, account)
    execution = sfn.start_execution(
        stateMachineArn=state_machine_arn, name=name, input=json.dumps(event)
    )
    print(f"started {name}", flush=True)
    if not wait:
        print(
            "follow it with: sklambda runs (or aws stepfunctions describe-execution "
            f"--execution-arn {execution['executionArn']})"
        )
        return
    described = wait_for_execution(
        sfn,
        execution["executionArn"],
        timeout_seconds=None,
        on_state=lambda state: print(f"  -> {state}", flush=True),
        poll_seconds=POLL_SECONDS,
    )
    output = json.loads(described.get("output") or "{}")
    report = output.get("report") or {}
    print(f"{described['status']}: {report.get('subject') or described.get('error', '')}")
    if described["status"] != "SUCCEEDED":
        raise SklambdaError(f"run {name} ended {described['status']}: {described.get('cause', '')}")


def _line(record: RunRecord) -> str:
    score = ""
    if record.metric and record.candidate_score is not None and record.champion_score is not None:
        score = f" {record.metric} {record.candidate_score:.4f} vs {record.champion_score:.4f}"
    trigger = f"{record.trigger.kind.value}:{record.trigger.source}" if record.trigger else "-"
    why = record.error or (record.reasons[0] if record.reasons else "")
    return (
        f"{record.started_at:%Y-%m-%d %H:%M:%S}  {record.outcome:<15} {record.kind:<10} "
        f"{trigger:<40.40} champion {record.champion_after or '-'}{score}  {why[:100]}"
    )


def list_runs(bucket: str, limit: int, *, as_json: bool = False) -> None:
    records = RunStore(aws.client("s3"), bucket).recent(limit)
    if as_json:
        json.dump([record.model_dump(mode="json") for record in records], sys.stdout, indent=2)
        print()
        return
    if not records:
        print(f"no retraining runs recorded in s3://{bucket}/retraining/runs/")
        return
    for record in records:
        print(_line(record))
