"""The monitoring part of template.yaml: alarm contract, least privilege, private capture."""

import json

import pytest

from sklambda_local.template import LocalStack


def _allowed(stack: LocalStack, function: str) -> dict[str, set[str]]:
    """Action → the resources (or ListBucket prefixes) it is allowed on."""
    allowed: dict[str, set[str]] = {}
    for policy in stack.properties(function)["Policies"]:
        for statement in policy["Statement"]:
            resources = statement["Resource"]
            resources = resources if isinstance(resources, list) else [resources]
            prefixes = statement.get("Condition", {}).get("StringLike", {}).get("s3:prefix")
            if prefixes:
                resources = prefixes if isinstance(prefixes, list) else [prefixes]
            for action in statement["Action"]:
                allowed.setdefault(action, set()).update(resources)
    return allowed


def test_the_alarms_other_stacks_refer_to_exist_with_these_logical_ids(stack):
    alarms = {
        logical_id
        for logical_id, resource in stack.resources.items()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
    }
    assert alarms == {
        "DriftAlarm",
        "PerformanceAlarm",
        "PredictErrorRateAlarm",
        "PredictLatencyP99Alarm",
    }
    drift = stack.properties("DriftAlarm")
    assert drift["TreatMissingData"] == "notBreaching"
    assert {"DatapointsToAlarm", "EvaluationPeriods"} <= set(drift)


def test_drift_reads_capture_and_models_and_writes_only_reports_and_its_state(stack):
    bucket = stack.arn_of("ModelBucket")
    allowed = _allowed(stack, "DriftFunction")
    assert allowed["s3:GetObject"] == {
        f"{bucket}/capture/sklambda-model/*",
        f"{bucket}/models/sklambda-model/*",
        f"{bucket}/monitoring/sklambda-model/*",
    }
    assert allowed["s3:PutObject"] == {
        f"{bucket}/reports/sklambda-model/*",
        f"{bucket}/monitoring/sklambda-model/*",
    }
    assert "s3:DeleteObject" not in allowed


def test_ground_truth_reads_labels_and_writes_labelled_data_and_reports(stack):
    bucket = stack.arn_of("ModelBucket")
    allowed = _allowed(stack, "GroundTruthFunction")
    assert f"{bucket}/labels/*" in allowed["s3:GetObject"]
    assert allowed["s3:PutObject"] == {
        f"{bucket}/labelled/sklambda-model/*",
        f"{bucket}/reports/sklambda-model/*",
    }


@pytest.mark.parametrize("logical_id", ["CaptureDeliveryStream", "CaptureLogDeliveryStream"])
def test_capture_goes_encrypted_to_the_private_bucket_under_capture(stack, logical_id):
    stream = stack.properties(logical_id)
    assert stream["DeliveryStreamEncryptionConfigurationInput"]["KeyType"] == "AWS_OWNED_CMK"
    destination = stream["ExtendedS3DestinationConfiguration"]
    assert destination["BucketARN"] == stack.arn_of("ModelBucket")
    assert destination["Prefix"] == "capture/sklambda-model/"
    assert destination["CompressionFormat"] == "GZIP"


@pytest.mark.parametrize(
    "fragment",
    ["PredictionCount", "Latency", "FeaturePSI", "MaxPSI", "ModelVersion", "Accuracy"],
)
def test_the_dashboard_shows_volume_latency_drift_per_feature_and_version(stack, fragment):
    body = json.loads(stack.properties("MonitoringDashboard")["DashboardBody"])
    assert fragment in json.dumps(body["widgets"])


def test_thresholds_and_the_sampling_rate_are_parameters():
    stack = LocalStack(
        parameter_overrides={"DriftPsiThreshold": "0.3", "CaptureSamplingRate": "0.1"}
    )
    assert stack.properties("DriftAlarm")["Threshold"] == "0.3"
    assert stack.function_environment("DriftFunction")["DRIFT_PSI_THRESHOLD"] == "0.3"
    assert stack.function_environment("PredictFunction")["CAPTURE_SAMPLING_RATE"] == "0.1"
