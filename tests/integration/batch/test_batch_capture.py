"""Batch rows are sampled into the same capture stream as API traffic, for drift and labels."""

import gzip
import json

from sklambda import aws
from sklambda_local.provision import provision_delivery_stream
from tests.integration.batch.files import csv_text


def _captured(bucket: str) -> list[dict]:
    s3 = aws.client("s3")
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="capture/").get("Contents", [])
    records = []
    for item in listed:
        body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        text = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
        records += [json.loads(line) for line in text.decode().splitlines() if line]
    return records


def test_every_scored_row_is_captured_at_full_sampling(batch, champion, trained):
    # Given the template's capture stream and a batch sampling rate of 1
    provision_delivery_stream(batch.stack, aws.client("firehose"), "CaptureDeliveryStream")
    batch.overrides["BatchScoreFunction"]["CAPTURE_SAMPLING_RATE"] = "1"
    names = champion.feature_schema.names
    rows = trained.holdout_features[:12]
    # When a file is scored
    event = batch.upload("incoming/captured.csv", csv_text(names, rows, messy=False))
    batch.invoke(event)
    # Then each scored row is in capture/, named by file version and row, with its prediction
    records = [record for record in _captured(batch.bucket) if record["source"] == "batch"]
    row_ids = sorted(row_id for record in records for row_id in record["row_ids"])
    assert row_ids == list(range(12))
    (record,) = records
    assert record["request_id"].startswith("incoming/captured.csv#")
    assert record["model_version"] == champion.version
    assert record["features"] == names
    assert record["predictions"] == trained.estimator.predict(rows).tolist()


def test_capture_off_writes_nothing_and_scoring_is_unaffected(batch, champion, trained):
    provision_delivery_stream(batch.stack, aws.client("firehose"), "CaptureDeliveryStream")
    batch.overrides["BatchScoreFunction"]["CAPTURE_SAMPLING_RATE"] = "0"
    names = champion.feature_schema.names
    event = batch.upload("incoming/quiet.csv", csv_text(names, trained.holdout_features[:5]))
    assert batch.invoke(event)["result"] == "succeeded"
    assert _captured(batch.bucket) == []
