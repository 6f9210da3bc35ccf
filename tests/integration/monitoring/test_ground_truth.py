"""GroundTruthFunction joins uploaded labels with captured predictions."""

import copy
import csv
import io
import json

import pytest

from retrain_handler.settings import TrainSettings
from sklambda import aws
from sklambda.retraining.data import read_labelled_examples
from sklambda.training.data import load_csv
from tests.integration.conftest import load_event
from tests.integration.monitoring.conftest import metric_values, predict_event, traffic


def _labels_event(bucket: str, key: str) -> dict:
    event = copy.deepcopy(load_event("labels_uploaded"))
    event["detail"]["bucket"]["name"] = bucket
    event["detail"]["object"]["key"] = key
    return event


def test_labels_are_joined_scored_kept_for_retraining_and_unmatched_ones_reported(
    run_function, champion, capture_stream, registry, traffic_source, tmp_path, stack
):
    s3 = aws.client("s3")
    # Given two captured requests
    rows = traffic(traffic_source, 4, seed=7)
    first = run_function("PredictFunction", predict_event(rows[:2], "req-a"))
    second = run_function("PredictFunction", predict_event(rows[2:], "req-b"))
    predicted = json.loads(first["body"])["predictions"] + json.loads(second["body"])["predictions"]
    # And labels for three of their rows (one wrong) plus one for a request never captured
    truth = [predicted[0], predicted[1], 1 - predicted[2]]
    body = (
        "request_id,row,label\n"
        f"req-a,0,{truth[0]}\nreq-a,1,{truth[1]}\nreq-b,0,{truth[2]}\nreq-unknown,0,1\n"
    )
    s3.put_object(Bucket=registry.bucket, Key="labels/2030-01-01/outcomes.csv", Body=body.encode())
    # When the upload event arrives
    result = run_function(
        "GroundTruthFunction", _labels_event(registry.bucket, "labels/2030-01-01/outcomes.csv")
    )
    # Then three labels match and one is reported unmatched
    assert (result["labels"], result["matched"], result["unmatched"]) == (4, 3, 1)
    scores = result["scores"][champion.version]
    assert scores["Accuracy"] == pytest.approx(2 / 3)
    # And quality metrics are in CloudWatch for the alarm
    model = {"ModelName": "sklambda-model"}
    assert metric_values("Accuracy", model) == [pytest.approx(2 / 3)]
    assert metric_values("LabelsMatched", model) == [3.0]
    assert metric_values("LabelsUnmatched", model) == [1.0]
    # And the report names the unmatched label
    report_key = result["report"].removeprefix(f"s3://{registry.bucket}/")
    report = json.loads(s3.get_object(Bucket=registry.bucket, Key=report_key)["Body"].read())
    assert [label["request_id"] for label in report["unmatched_labels"]] == ["req-unknown"]
    # And the labelled rows are a CSV the training code reads as it is
    (labelled_uri,) = result["labelled_data"]
    assert labelled_uri.startswith(f"s3://{registry.bucket}/labelled/sklambda-model/dt=")
    key = labelled_uri.removeprefix(f"s3://{registry.bucket}/")
    text = s3.get_object(Bucket=registry.bucket, Key=key)["Body"].read().decode()
    header = next(csv.reader(io.StringIO(text)))
    assert header == [*champion.feature_schema.names, "target"]
    path = tmp_path / "labelled.csv"
    path.write_text(text)
    data = load_csv(path, "target")
    assert data.rows == 3
    assert data.target.tolist() == truth
    assert data.matrix()[0].tolist() == pytest.approx(rows[0].tolist())
    # And the retraining step reads the same object as labelled production data
    training = TrainSettings.from_environment(stack.function_environment("TrainFunction"))
    labelled_root = training.model_keys().labelled_root
    examples = read_labelled_examples(s3, registry.bucket, labelled_root, "target")
    assert [int(example.label) for example in examples] == truth
    assert set(examples[0].features) == set(champion.feature_schema.names)
