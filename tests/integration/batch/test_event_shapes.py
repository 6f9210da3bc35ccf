"""The events `sam local generate-event` produces reach BatchScoreFunction as what they are."""

import pytest

from tests.integration.batch.files import csv_text
from tests.integration.conftest import load_event


def test_sams_s3_put_event_scores_the_object_it_names(batch, champion, trained):
    # Given an upload whose key S3 URL-encodes in its notification (a space)
    key = "incoming/generated/sam put.csv"
    batch.upload(key, csv_text(champion.feature_schema.names, trained.holdout_features[:7]))
    # When `sam local generate-event s3 put` for that key is the event
    outcome = batch.invoke(load_event("batch_s3_notification"))
    # Then the object is scored like an EventBridge upload would be
    assert outcome["result"] == "succeeded", outcome
    assert outcome["summary"]["rows_scored"] == 7
    assert batch.exists("scored/generated/sam put.csv")


def test_sams_scheduled_event_without_a_version_runs_the_sweep(batch, champion):
    report = batch.invoke(load_event("scheduled_event_sam"))
    assert report["examined"] == 0


def test_another_kind_of_event_fails_with_one_line_naming_the_accepted_kinds(batch):
    with pytest.raises(RuntimeError) as failed:
        batch.invoke(load_event("sqs_message_sam"))
    message = str(failed.value)
    assert message.startswith("UnsupportedEventError: BatchScoreFunction accepts")
    assert message.endswith("this event is none of them (records from aws:sqs)")
