"""The retraining loop's functions, each with the input its Step Functions task gives it.

The loop keeps one lock, one watch marker and one champion per model. A scenario that changes
one of them puts it back in ``restore``, so the others (and PredictFunction) find the session's
champion serving and no lock held, whatever order they run in.
"""

import csv
import io
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from sklambda.registry.bundle import publish_bundle
from sklambda.retraining.data import examples_from_matrix, to_jsonl
from sklambda.retraining.watch import PromotionWatch
from sklambda.storage.keys import (
    PROMOTION_WATCH_KEY,
    RETRAINING_LOCK_KEY,
    ModelKeys,
    retraining_run_key,
)
from sklambda.storage.lock import LeaseRecord
from sklambda.storage.objects import S3Objects
from sklambda.training.data import TrainingData
from sklambda.training.train import save_bundle, train_model
from tests.local.scenarios.core import EventFields, Scenario, Seeded

TRAINING_KEY = "training/local-scenario/breast_cancer.csv"
LABELLED_ROWS = slice(0, 60)


def _environment(seeded: Seeded, function: str) -> dict[str, str]:
    return seeded.aws.stack.function_environment(function)


def _delete(seeded: Seeded, key: str) -> None:
    seeded.s3().delete_object(Bucket=seeded.aws.bucket, Key=key)


def _serving(seeded: Seeded) -> tuple[str, str | None]:
    state = seeded.registry().alias()
    assert state is not None, "the champion alias is gone"
    return state.pointer.version, state.pointer.previous


def restore_champion(seeded: Seeded) -> None:
    if _serving(seeded)[0] != seeded.champion.version:
        seeded.registry().promote(
            seeded.champion.version or "", reason="sam local tests: the session's champion"
        )


def publish_candidate(seeded: Seeded, *, seed: int, shuffled_labels: bool = False) -> str:
    """A version trained like the champion on another split; shuffled labels make it useless."""
    data = seeded.data
    target = (
        np.random.default_rng(seed).permutation(data.target) if shuffled_labels else data.target
    )
    training = TrainingData(data.feature_names, data.columns, target, data.target_name, "local")
    trained = train_model(
        training,
        model_name=seeded.champion.model_name,
        hyperparameters=seeded.champion.hyperparameters,
        seed=seed,
    )
    with tempfile.TemporaryDirectory() as directory:
        save_bundle(trained, Path(directory))
        return publish_bundle(seeded.registry(), Path(directory)).version or ""


def _run_record(seeded: Seeded, run_id: str) -> Any:
    return seeded.read_json(retraining_run_key(run_id))


def _lock(seeded: Seeded) -> LeaseRecord:
    return LeaseRecord.model_validate(seeded.read_json(RETRAINING_LOCK_KEY))


def release_lock(seeded: Seeded) -> None:
    _delete(seeded, RETRAINING_LOCK_KEY)


# ---------------------------------------------------------------- GuardFunction


def prepare_guard(seeded: Seeded) -> None:
    release_lock(seeded)


def check_guard(payload: Any, seeded: Seeded, event: dict[str, Any]) -> None:
    assert (payload["acquired"], payload["status"]) == (True, "acquired"), payload
    assert payload["run_id"] == event["run_id"]
    trigger = payload["trigger"]
    assert trigger["kind"] == "drift"
    assert trigger["source"] == event["event"]["detail"]["alarmName"]
    lock = _lock(seeded)
    assert (lock.holder, lock.state) == (event["run_id"], "running")
    timeout = int(_environment(seeded, "GuardFunction")["RETRAIN_TIMEOUT_SECONDS"])
    assert lock.expires_at - lock.acquired_at == timedelta(seconds=timeout)


# ---------------------------------------------------------------- TrainFunction


def _training_csv(data: TrainingData) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*data.feature_names, data.target_name])
    for index in range(data.rows):
        row = [repr(float(column[index])) for column in data.columns]
        writer.writerow([*row, data.target[index]])
    return buffer.getvalue().encode()


def _labelled_root(seeded: Seeded) -> str:
    prefix = _environment(seeded, "TrainFunction")["LABELLED_PREFIX"]
    return ModelKeys(seeded.champion.model_name, labelled_prefix=prefix).labelled_root


def _labelled_key(seeded: Seeded) -> str:
    return f"{_labelled_root(seeded)}dt={datetime.now(UTC):%Y-%m-%d}/local-train.jsonl"


def prepare_train(seeded: Seeded) -> None:
    """The bucket's training data, and recent labelled rows too few to hold out on their own."""
    data = seeded.data
    s3, bucket = seeded.s3(), seeded.aws.bucket
    # Labelled rows other scenarios left (GroundTruthFunction's join) would also be trained on.
    prefix = _labelled_root(seeded)
    for item in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []):
        s3.delete_object(Bucket=bucket, Key=item["Key"])
    s3.put_object(Bucket=bucket, Key=TRAINING_KEY, Body=_training_csv(data))
    labelled = examples_from_matrix(
        data.feature_names, data.matrix()[LABELLED_ROWS], data.target[LABELLED_ROWS]
    )
    s3.put_object(Bucket=bucket, Key=_labelled_key(seeded), Body=to_jsonl(labelled))


def check_train(payload: Any, seeded: Seeded, event: dict[str, Any]) -> None:
    labelled = len(range(seeded.data.rows)[LABELLED_ROWS])
    assert payload["champion_version"] == seeded.champion.version, payload
    assert payload["candidate_version"] != seeded.champion.version
    assert (payload["training_rows"], payload["labelled_rows"]) == (
        seeded.data.rows + labelled,
        labelled,
    ), payload
    assert payload["holdout_source"] == "training"
    registry = seeded.registry()
    candidate = registry.manifest(payload["candidate_version"])
    assert candidate.hyperparameters == seeded.champion.hyperparameters
    assert candidate.feature_schema == seeded.champion.feature_schema
    assert candidate.baseline is not None, "the candidate has no drift baseline"
    assert registry.read_json(payload["candidate_version"], candidate.baseline.file)
    assert _serving(seeded)[0] == seeded.champion.version, "training moved the champion"
    assert payload["holdout_key"] == f"retraining/holdouts/{event['run_id']}.jsonl"
    holdout = seeded.read_text(payload["holdout_key"]).splitlines()
    assert len(holdout) == payload["holdout_rows"] > 0


def forget_train_inputs(seeded: Seeded) -> None:
    _delete(seeded, TRAINING_KEY)
    _delete(seeded, _labelled_key(seeded))


# ---------------------------------------------------------------- EvaluateFunction


def prepare_evaluate(seeded: Seeded) -> EventFields:
    """A candidate that learned nothing, judged with the champion on the champion's holdout."""
    model = seeded.champion_model
    holdout = examples_from_matrix(
        seeded.champion.feature_schema.names, model.holdout_features, model.holdout_target
    )
    key = EVALUATE.event_with(None)["holdout_key"]
    seeded.s3().put_object(Bucket=seeded.aws.bucket, Key=key, Body=to_jsonl(holdout))
    return {
        "candidate_version": publish_candidate(seeded, seed=11, shuffled_labels=True),
        "champion_version": seeded.champion.version,
    }


def check_evaluate(payload: Any, seeded: Seeded, _: dict[str, Any]) -> None:
    assert payload["promote"] is False, payload
    assert payload["metric"] == "roc_auc"
    # The same model on the same rows: the function scores what training recorded.
    assert abs(payload["champion_score"] - seeded.champion.metrics["roc_auc"]) < 1e-9, payload
    tolerance = float(_environment(seeded, "EvaluateFunction")["PROMOTION_TOLERANCE"])
    assert payload["candidate_score"] < payload["champion_score"] - tolerance
    assert any("roc_auc" in reason for reason in payload["reasons"]), payload["reasons"]
    assert _serving(seeded)[0] == seeded.champion.version, "evaluation moved the champion"


# ---------------------------------------------------------------- PromoteFunction


def prepare_promote(seeded: Seeded) -> EventFields:
    return {
        "candidate_version": publish_candidate(seeded, seed=12),
        "champion_version": seeded.champion.version,
    }


def check_promote(payload: Any, seeded: Seeded, event: dict[str, Any]) -> None:
    candidate, champion = event["candidate_version"], seeded.champion.version
    assert (payload["champion"], payload["previous"]) == (candidate, champion), payload
    assert _serving(seeded) == (candidate, champion)
    watch = PromotionWatch.model_validate(seeded.read_json(PROMOTION_WATCH_KEY))
    assert (watch.version, watch.previous, watch.run_id) == (candidate, champion, event["run_id"])
    minutes = float(_environment(seeded, "PromoteFunction")["PROMOTION_WATCH_MINUTES"])
    assert watch.watch_until - watch.promoted_at == timedelta(minutes=minutes)
    assert datetime.fromisoformat(payload["watch_until"]) == watch.watch_until


def end_promotion(seeded: Seeded) -> None:
    restore_champion(seeded)
    _delete(seeded, PROMOTION_WATCH_KEY)


# ---------------------------------------------------------------- ReportFunction


def prepare_report(seeded: Seeded) -> EventFields:
    """The run holds the lock; its training judged a candidate against the serving champion."""
    event = REPORT.event_with(None)
    now = datetime.now(UTC)
    held = LeaseRecord(
        holder=event["run_id"],
        state="running",
        acquired_at=now,
        expires_at=now + timedelta(hours=1),
    )
    S3Objects(seeded.s3(), seeded.aws.bucket).put_json(RETRAINING_LOCK_KEY, held)
    state = event["state"]
    training = {**state["training"], "champion_version": seeded.champion.version}
    return {"state": {**state, "training": training}}


def check_report(payload: Any, seeded: Seeded, event: dict[str, Any]) -> None:
    run_id = event["run_id"]
    assert (payload["outcome"], payload["notify"]) == ("rejected", True), payload
    assert payload["record_key"] == retraining_run_key(run_id)
    record = _run_record(seeded, run_id)
    evaluation = event["state"]["evaluation"]
    assert record["outcome"] == "rejected"
    assert record["champion_before"] == record["champion_after"] == seeded.champion.version
    assert record["candidate"] == event["state"]["training"]["candidate_version"]
    assert record["reasons"] == evaluation["reasons"]
    assert record["trigger"]["kind"] == "drift"
    lock = _lock(seeded)
    assert (lock.holder, lock.state) == (run_id, "finished"), lock
    cooldown = float(_environment(seeded, "ReportFunction")["RETRAIN_COOLDOWN_MINUTES"])
    assert lock.finished_at is not None
    assert lock.expires_at - lock.finished_at == timedelta(minutes=cooldown)


# ---------------------------------------------------------------- RollbackFunction


def prepare_rollback(seeded: Seeded) -> None:
    """A run promoted a candidate a minute ago, and the watch on it is still open."""
    candidate = publish_candidate(seeded, seed=13)
    seeded.registry().promote(
        candidate, expected_current=seeded.champion.version, reason="retraining run local-watched"
    )
    now = datetime.now(UTC)
    watch = PromotionWatch(
        version=candidate,
        previous=seeded.champion.version or "",
        run_id="local-watched-run",
        promoted_at=now - timedelta(minutes=1),
        watch_until=now + timedelta(minutes=59),
    )
    S3Objects(seeded.s3(), seeded.aws.bucket).put_json(PROMOTION_WATCH_KEY, watch)


def check_rollback(payload: Any, seeded: Seeded, event: dict[str, Any]) -> None:
    assert (payload["outcome"], payload["notify"]) == ("rolled_back", True), payload
    watch = PromotionWatch.model_validate(seeded.read_json(PROMOTION_WATCH_KEY))
    assert watch.rolled_back_at is not None, "the watch was not resolved"
    assert _serving(seeded) == (seeded.champion.version, watch.version)
    record = _run_record(seeded, event["run_id"])
    assert (record["kind"], record["outcome"]) == ("rollback", "rolled_back")
    assert (record["champion_before"], record["champion_after"]) == (
        watch.version,
        seeded.champion.version,
    )
    assert record["trigger"]["kind"] == "serving"
    assert record["trigger"]["source"] == event["event"]["detail"]["alarmName"]


EVALUATE = Scenario("retrain_evaluate", check_evaluate, prepare_evaluate)
REPORT = Scenario("retrain_report", check_report, prepare_report, release_lock)

RETRAINING = {
    "GuardFunction": Scenario("retrain_guard_drift", check_guard, prepare_guard, release_lock),
    "TrainFunction": Scenario("retrain_train", check_train, prepare_train, forget_train_inputs),
    "EvaluateFunction": EVALUATE,
    "PromoteFunction": Scenario("retrain_promote", check_promote, prepare_promote, end_promotion),
    "ReportFunction": REPORT,
    "RollbackFunction": Scenario(
        "retrain_rollback", check_rollback, prepare_rollback, end_promotion
    ),
}
