"""Large files run the real ASL on moto's Step Functions interpreter, chunks scored in-process."""

import json

import numpy as np

from batch_handler import dependencies
from tests.integration.batch.files import csv_text, jsonl_text


def _score_whole(batch, key: str, body: str) -> None:
    """The same file scored in one invocation, for comparison."""
    dependencies.reset()
    batch.overrides["BatchScoreFunction"]["BATCH_DISTRIBUTED_THRESHOLD_MB"] = "1000"
    assert batch.invoke(batch.upload(key, body))["result"] == "succeeded"


def test_a_large_messy_csv_is_merged_row_for_row_as_if_scored_whole(batch, champion, trained):
    # Given a messy CSV several chunks long
    rows = np.tile(trained.holdout_features, (4, 1))
    body = csv_text(champion.feature_schema.names, rows, messy=True)
    event = batch.upload("incoming/large.csv", body)
    # When S3 reports it, the function hands it to the state machine
    outcome = batch.invoke(event)
    assert outcome["result"] == "in_progress"
    assert outcome["summary"]["chunks"] >= 4
    (execution,) = batch.wait_for_executions()
    assert execution["status"] == "SUCCEEDED", execution.get("cause")
    # Then the merged outputs equal scoring the whole file at once, row for row
    _score_whole(batch, "incoming/whole.csv", body)
    assert batch.read("scored/large.csv") == batch.read("scored/whole.csv")
    assert batch.read("rejected/large.csv") == batch.read("rejected/whole.csv")
    run, whole = (json.loads(batch.read(f"runs/{name}.csv.json")) for name in ("large", "whole"))
    counts = ("rows_read", "rows_scored", "rows_rejected", "blank_lines")
    assert [run[name] for name in counts] == [whole[name] for name in counts]
    assert run["rows_read"] == run["rows_scored"] + run["rows_rejected"] == len(rows) + 2
    assert (run["status"], run["mode"], run["failed_chunks"]) == ("succeeded", "distributed", [])
    # And every chunk ran through the same function, pinned to one model version
    chunk_events = batch.chunk_events()
    assert len(chunk_events) == outcome["summary"]["chunks"]
    assert {event["run"]["model_version"] for event in chunk_events} == {champion.version}


def test_large_json_lines_take_the_same_path(batch, champion, trained):
    rows = np.tile(trained.holdout_features, (3, 1))
    body = jsonl_text(champion.feature_schema.names, rows, messy=True)
    assert batch.invoke(batch.upload("incoming/large.jsonl", body))["result"] == "in_progress"
    (execution,) = batch.wait_for_executions()
    assert execution["status"] == "SUCCEEDED", execution.get("cause")
    _score_whole(batch, "incoming/whole.jsonl", body)
    assert batch.read("scored/large.jsonl") == batch.read("scored/whole.jsonl")
    assert batch.read("rejected/large.jsonl") == batch.read("rejected/whole.jsonl")


def test_a_chunk_that_fails_fails_the_run_with_an_error_record(
    batch, champion, trained, monkeypatch
):
    from batch_handler.runner import Runner

    real = Runner.score_chunk

    def broken(self, task):
        if task.chunk.index == 1:
            raise ValueError("chunk 1 is cursed")
        return real(self, task)

    monkeypatch.setattr(Runner, "score_chunk", broken)
    body = csv_text(champion.feature_schema.names, np.tile(trained.holdout_features, (3, 1)))
    batch.invoke(batch.upload("incoming/doomed.csv", body))
    (execution,) = batch.wait_for_executions()
    # On AWS the Map fails (no failure is tolerated) and RecordFailure writes the record; moto
    # does not apply ToleratedFailurePercentage, so there the merge refuses. Same record.
    assert execution["status"] in {"FAILED", "SUCCEEDED"}
    record = json.loads(batch.read("runs/doomed.csv.json"))
    assert record["status"] == "failed"
    assert record["mode"] == "distributed"
    assert record["error"]["retryable"] is True
    assert not batch.exists("scored/doomed.csv")


def test_the_merge_lists_missing_chunks_and_keeps_line_numbers_right(batch, champion, trained):
    """ToleratedFailurePercentage lets a run go on without some chunks (moto does not apply
    it, so the merge is called directly here as the state machine would call it)."""
    from batch_handler.models import MergeTask
    from sklambda.storage import keys

    names = champion.feature_schema.names
    body = csv_text(names, np.tile(trained.holdout_features, (3, 1)), messy=True)
    body += "late," + ",".join(["x"] * (len(names) + 1)) + "\n"
    last_line = body.count("\n")
    outcome = batch.invoke(batch.upload("incoming/partial.csv", body))
    batch.wait_for_executions()
    run = batch.chunk_events()[0]["run"]["run_id"]
    batch.s3.delete_object(Bucket=batch.bucket, Key=keys.batch_part_key(run, "summary.json", 0))
    plan = {**batch.chunk_events()[0]["run"], "tolerated_failure_percentage": 50}
    summary = batch.invoke(
        MergeTask(action="merge", run=plan, chunk_count=outcome["summary"]["chunks"]).model_dump(
            mode="json"
        )
    )
    assert summary["status"] == "failed"
    assert [chunk["index"] for chunk in summary["failed_chunks"]] == [0]
    assert summary["rows_read"] == summary["rows_scored"] + summary["rows_rejected"]
    # Chunk 0 held the first rejections; the later ones keep their true line numbers
    rejected_lines = [
        line.split(",", 1)[0] for line in batch.read("rejected/partial.csv").splitlines()[1:]
    ]
    assert rejected_lines == [str(last_line)]


def test_the_same_large_file_twice_starts_one_execution(batch, champion, trained):
    body = csv_text(champion.feature_schema.names, np.tile(trained.holdout_features, (3, 1)))
    event = batch.upload("incoming/once.csv", body)
    batch.invoke(event)
    assert batch.invoke(event)["result"] == "duplicate: already in_progress"
    assert len(batch.wait_for_executions()) == 1
