"""PredictFunction captures its inputs and outputs through Firehose, and survives its failure."""

import json

from sklambda import aws
from tests.integration.monitoring.conftest import metric_values, predict_event, traffic


def _capture_objects(bucket: str) -> list[str]:
    listed = aws.client("s3").list_objects_v2(Bucket=bucket, Prefix="capture/sklambda-model/")
    return [item["Key"] for item in listed.get("Contents", [])]


def test_a_prediction_is_captured_with_inputs_outputs_version_and_request_id(
    run_function, champion, capture_stream, registry, traffic_source
):
    # Given the template's delivery stream and a champion
    rows = traffic(traffic_source, 3, seed=1)
    # When a request is served
    response = run_function("PredictFunction", predict_event(rows, "req-captured"))
    # Then one record lands under capture/<model>/YYYY/MM/DD/HH/ with everything needed later
    assert response["statusCode"] == 200, response["body"]
    (key,) = _capture_objects(registry.bucket)
    assert key.count("/") == 6
    body = aws.client("s3").get_object(Bucket=registry.bucket, Key=key)["Body"].read()
    (record,) = [json.loads(line) for line in body.splitlines()]
    assert record["request_id"] == "req-captured"
    assert record["model_version"] == champion.version
    assert record["source"] == "predict"
    assert record["rows"] == rows.tolist()
    assert record["predictions"] == json.loads(response["body"])["predictions"]
    assert record["features"] == champion.feature_schema.names
    assert len(record["probabilities"]) == 3


def test_a_capture_failure_does_not_fail_or_slow_the_prediction(
    run_function, champion, registry, traffic_source
):
    # Given no delivery stream at all: every PutRecordBatch fails
    rows = traffic(traffic_source, 2, seed=2)
    attempts = []
    run_function("PredictFunction", predict_event(rows, "warm-up"))
    aws.best_effort_client("firehose").meta.events.register(
        "before-call.firehose.PutRecordBatch", lambda **_: attempts.append(1)
    )
    # When more requests are served by the same warm function
    responses = [run_function("PredictFunction", predict_event(rows, f"req-{n}")) for n in range(3)]
    # Then every prediction succeeds and nothing is captured
    assert [r["statusCode"] for r in responses] == [200, 200, 200]
    assert _capture_objects(registry.bucket) == []
    # And after the first failure capture paused: no request waited on Firehose again
    assert attempts == []
    # And every lost record is counted in CloudWatch
    failures = metric_values(
        "CaptureFailures",
        {"ModelName": "sklambda-model", "Source": "predict", "service": "sklambda"},
    )
    assert sum(failures) == 4
