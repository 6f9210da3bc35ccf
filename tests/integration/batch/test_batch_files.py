"""Files uploaded to incoming/ end in scored/, rejected/ and runs/, every row accounted for."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from tests.integration.batch.files import csv_text, jsonl_text


def _run(batch, key: str) -> dict:
    return json.loads(batch.read("runs/" + key.removeprefix("incoming/") + ".json"))


def test_a_messy_csv_is_scored_row_for_row_and_every_row_is_accounted_for(batch, champion, trained):
    # Given a CSV with a BOM, quoted commas, a bad number, a short row, a blank line,
    # a repeated header and infinities
    names = champion.feature_schema.names
    rows = trained.holdout_features[:20]
    event = batch.upload("incoming/2026/customers.csv", csv_text(names, rows, messy=True))
    # When S3 reports the upload
    outcome = batch.invoke(event)
    # Then the run summary balances and names the version it scored
    run = _run(batch, "incoming/2026/customers.csv")
    assert outcome["result"] == "succeeded"
    assert run["rows_read"] == run["rows_scored"] + run["rows_rejected"] == 22
    assert (run["rows_rejected"], run["blank_lines"]) == (4, 1)
    assert run["input"]["version_id"] == event["detail"]["object"]["version-id"]
    assert run["model_version"] == champion.version
    # And the scored rows carry the id through, with the estimator's exact probabilities
    scored = list(csv.DictReader(io.StringIO(batch.read("scored/2026/customers.csv"))))
    good = [index for index in range(20) if index not in {2, 4}]
    assert [
        row["\ufeffcustomer_id"] if "\ufeffcustomer_id" in row else row["customer_id"]
        for row in scored
    ] == [f"c{index}" for index in good]
    assert all(row["note"] == 'says "hi", twice' for row in scored)
    expected = trained.estimator.predict_proba(rows[good])
    got = np.array([[float(row["probability_0"]), float(row["probability_1"])] for row in scored])
    np.testing.assert_array_equal(got, expected)
    assert [int(row["prediction"]) for row in scored] == expected.argmax(axis=1).tolist()
    assert {row["model_version"] for row in scored} == {champion.version}
    # And each rejected row has its line number, its reason and the record as it was
    rejected = list(csv.DictReader(io.StringIO(batch.read("rejected/2026/customers.csv"))))
    assert [int(row["line_number"]) for row in rejected] == [4, 6, 10, 12]
    assert "expected a number, got 'not-a-number'" in rejected[0]["reason"]
    assert rejected[1]["reason"] == f"has 4 fields; the header has {len(names) + 2}"
    assert rejected[2]["record"].startswith("customer_id,note,")
    assert "infinity is not allowed" in rejected[3]["reason"]


def test_json_lines_are_scored_and_refusals_explained(batch, champion, trained):
    names = champion.feature_schema.names
    rows = trained.holdout_features[:10]
    batch.invoke(batch.upload("incoming/rows.jsonl", jsonl_text(names, rows, messy=True)))
    run = _run(batch, "incoming/rows.jsonl")
    assert (run["rows_read"], run["rows_scored"], run["rows_rejected"]) == (10, 8, 2)
    scored = [json.loads(line) for line in batch.read("scored/rows.jsonl").splitlines()]
    assert [row["id"] for row in scored] == [0, 1, 3, 4, 6, 7, 8, 9]
    expected = trained.estimator.predict_proba(rows[[0, 1, 3, 4, 6, 7, 8, 9]])
    assert [row["probabilities"]["1"] for row in scored] == expected[:, 1].tolist()
    rejected = [json.loads(line) for line in batch.read("rejected/rows.jsonl").splitlines()]
    assert [row["line_number"] for row in rejected] == [3, 7]
    assert rejected[1]["record"] == {"id": "no-features"}


def test_the_same_version_twice_is_scored_once_and_a_new_version_again(batch, champion, trained):
    names = champion.feature_schema.names
    event = batch.upload("incoming/twice.csv", csv_text(names, trained.holdout_features[:5]))
    first = batch.invoke(event)
    second = batch.invoke(event)
    assert first["result"] == "succeeded"
    assert second["result"] == "duplicate: already succeeded"
    assert batch.versions("scored/twice.csv") == batch.versions("runs/twice.csv.json") == 1
    # A new upload of the same key is a new version, and it is scored
    newer = batch.upload("incoming/twice.csv", csv_text(names, trained.holdout_features[:7]))
    assert batch.invoke(newer)["result"] == "succeeded"
    assert batch.versions("scored/twice.csv") == 2
    assert _run(batch, "incoming/twice.csv")["rows_scored"] == 7


def test_an_event_that_is_already_being_scored_is_left_alone(batch, champion, trained):
    from sklambda.storage import keys
    from sklambda.storage.lock import LeaseRecord

    event = batch.upload(
        "incoming/busy.csv", csv_text(champion.feature_schema.names, trained.holdout_features[:3])
    )
    version = event["detail"]["object"]["version-id"]
    claim = keys.batch_claim_key(keys.batch_run_id("incoming/busy.csv", version))
    now = datetime.now(UTC)

    def claimed(expires_at: datetime) -> bytes:
        record = LeaseRecord(
            holder="other", state="running", acquired_at=now, expires_at=expires_at
        )
        return record.model_dump_json().encode()

    batch.s3.put_object(Bucket=batch.bucket, Key=claim, Body=claimed(now + timedelta(hours=1)))
    assert batch.invoke(event)["result"].startswith("duplicate: another invocation")
    assert not batch.exists("scored/busy.csv")
    # A claim older than the lease belongs to a crashed invocation and is taken over
    batch.s3.put_object(Bucket=batch.bucket, Key=claim, Body=claimed(now - timedelta(seconds=1)))
    assert batch.invoke(event)["result"] == "succeeded"
    assert not batch.exists(claim)


def test_a_file_arriving_without_a_champion_is_recorded_retried_and_swept_later(
    batch, registry, bundle_dir, trained, sweep_event
):
    from sklambda.registry.bundle import publish_bundle

    manifest = publish_bundle(registry, bundle_dir)
    event = batch.upload(
        "incoming/early.csv", csv_text(manifest.feature_schema.names, trained.holdout_features[:4])
    )
    # When no champion exists, the failure is recorded and raised so Lambda retries the event
    with pytest.raises(RuntimeError, match="ModelUnavailableError"):
        batch.invoke(event)
    record = _run(batch, "incoming/early.csv")
    assert record["status"] == "failed"
    assert record["error"]["retryable"] is True
    assert "has no champion yet" in record["error"]["message"]
    # Then once a champion serves, the scheduled sweep scores what was missed, and only that
    registry.promote(manifest.version or "")
    report = batch.invoke(sweep_event())
    assert [item["key"] for item in report["started"]] == ["incoming/early.csv"]
    assert _run(batch, "incoming/early.csv")["status"] == "succeeded"
    assert batch.invoke(sweep_event())["started"] == []


@pytest.mark.parametrize(
    ("key", "body", "message"),
    [
        (
            "incoming/wrong-header.csv",
            "id,colour\n1,red\n",
            "lacks the model's feature(s) 'mean radius'",
        ),
        ("incoming/binary.csv", b"\x89PNG\r\n\x1a\n\xff\xfe\x00", "header line is not UTF-8"),
        ("incoming/empty.csv", b"", "the file is empty"),
        ("incoming/data.parquet", b"PAR1", "neither CSV"),
    ],
)
def test_an_unreadable_file_ends_in_a_clear_error_record(batch, champion, key, body, message):
    outcome = batch.invoke(batch.upload(key, body))
    record = _run(batch, key)
    assert outcome["result"] == record["status"] == "failed"
    assert message in record["error"]["message"]
    assert record["error"]["retryable"] is False
    assert not batch.exists("scored/" + key.removeprefix("incoming/"))


def test_a_crash_mid_file_leaves_no_scored_object_and_no_open_upload(
    batch, champion, trained, monkeypatch
):
    from sklambda.runtime.scikit_learn import SklearnPredictor

    monkeypatch.setenv("BATCH_READ_CHUNK_MB", "0.001")
    calls = {"count": 0}
    real_predict = SklearnPredictor.predict

    def failing_predict(predictor, features):
        calls["count"] += 1
        if calls["count"] == 3:
            raise OSError("the disk vanished")
        return real_predict(predictor, features)

    monkeypatch.setattr(SklearnPredictor, "predict", failing_predict)
    event = batch.upload(
        "incoming/crash.csv", csv_text(champion.feature_schema.names, trained.holdout_features[:40])
    )
    with pytest.raises(RuntimeError, match="OSError"):
        batch.invoke(event)
    assert not batch.exists("scored/crash.csv")
    assert batch.s3.list_multipart_uploads(Bucket=batch.bucket).get("Uploads", []) == []
    assert _run(batch, "incoming/crash.csv")["error"]["type"] == "OSError"
