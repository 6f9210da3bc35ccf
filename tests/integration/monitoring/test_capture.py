"""PredictFunction captures its inputs and outputs as log lines that the template's subscription
filter forwards to Firehose, and survives a capture failure."""

import json

from sklambda import aws
from sklambda.monitoring import capture_factory
from tests.integration.monitoring.conftest import (
    metric_values,
    predict_event,
    traffic,
    wait_for_the_next_whole_second,
)


def _capture_objects(bucket: str) -> list[str]:
    listed = aws.client("s3").list_objects_v2(Bucket=bucket, Prefix="capture/sklambda-model/")
    return [item["Key"] for item in listed.get("Contents", [])]


def _records(bucket: str) -> list[dict]:
    s3 = aws.client("s3")
    return [
        json.loads(line)
        for key in _capture_objects(bucket)
        for line in s3.get_object(Bucket=bucket, Key=key)["Body"].read().splitlines()
        if line.strip()
    ]


def test_a_prediction_is_captured_with_inputs_outputs_version_and_request_id(
    run_function, champion, capture_stream, registry, traffic_source
):
    # Given the template's log subscription and capture stream, and a champion
    rows = traffic(traffic_source, 3, seed=1)
    # When a request is served
    response = run_function("PredictFunction", predict_event(rows, "req-captured"))
    # Then one record lands under capture/<model>/YYYY/MM/DD/HH/ with everything needed later
    assert response["statusCode"] == 200, response["body"]
    (key,) = _capture_objects(registry.bucket)
    assert key.count("/") == 6
    assert capture_stream in key
    (record,) = _records(registry.bucket)
    assert record["request_id"] == "req-captured"
    assert record["model_version"] == champion.version
    assert record["source"] == "predict"
    assert record["rows"] == rows.tolist()
    assert record["predictions"] == json.loads(response["body"])["predictions"]
    assert record["features"] == champion.feature_schema.names
    assert len(record["probabilities"]) == 3


def test_a_request_larger_than_a_log_event_is_captured_as_several_records(
    run_function, champion, capture_stream, registry, traffic_source, monkeypatch
):
    # Given log events that hold only a few rows of this model
    monkeypatch.setattr(capture_factory, "LOG_EVENT_MAX_BYTES", 4000)
    rows = traffic(traffic_source, 20, seed=3)
    # When a 20-row request is served
    response = run_function("PredictFunction", predict_event(rows, "req-large"))
    # Then its rows arrive in several records, each row once, under its own row id
    assert response["statusCode"] == 200, response["body"]
    records = _records(registry.bucket)
    assert len(records) > 1
    assert all(record["request_id"] == "req-large" for record in records)
    by_id = {
        row_id: row
        for record in records
        for row_id, row in zip(record["row_ids"], record["rows"], strict=True)
    }
    assert sorted(by_id) == list(range(20))
    assert [by_id[n] for n in range(20)] == rows.tolist()


def test_a_capture_failure_does_not_fail_the_prediction_and_is_counted(
    run_function, champion, capture_stream, registry, traffic_source, monkeypatch
):
    # Given log events too small for even one row: every capture fails
    monkeypatch.setattr(capture_factory, "LOG_EVENT_MAX_BYTES", 100)
    rows = traffic(traffic_source, 2, seed=2)
    # When requests are served by one warm function
    responses = [run_function("PredictFunction", predict_event(rows, f"req-{n}")) for n in range(4)]
    # Then every prediction succeeds and nothing is captured
    assert [r["statusCode"] for r in responses] == [200] * 4
    assert _capture_objects(registry.bucket) == []
    # And every lost record is counted in CloudWatch
    failures = metric_values(
        "CaptureFailures",
        {"ModelName": "sklambda-model", "Source": "predict", "service": "sklambda"},
    )
    assert sum(failures) == 4


def test_a_captured_request_reaches_capture_and_is_read_by_the_drift_evaluation(
    run_function, champion, capture_stream, registry, traffic_source
):
    # Given a request served and captured through the log subscription
    rows = traffic(traffic_source, 30, seed=6)
    response = run_function("PredictFunction", predict_event(rows, "req-drift"))
    assert response["statusCode"] == 200, response["body"]
    objects = _capture_objects(registry.bucket)
    assert objects
    assert all(capture_stream in key for key in objects)
    wait_for_the_next_whole_second()
    # When DriftFunction evaluates the window
    result = run_function("DriftFunction", {})
    # Then it read exactly what the subscription delivered: every row of that request
    assert result["captured_objects"] == len(objects)
    (version,) = result["versions"]
    assert version["model_version"] == champion.version
    assert version["sample_size"] == len(rows)
