"""The monitoring part of template.yaml: alarm contract, least privilege, private capture."""

import json

import pytest

from drift_handler.settings import DriftSettings, GroundTruthSettings
from sklambda.storage.keys import LABELS_PREFIX
from sklambda_local.template import LocalStack
from tests.unit.s3_grants import covers, grants, model_keys, under


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


def test_the_drift_alarm_says_where_the_reports_are(stack):
    keys = model_keys(stack, "DriftFunction", DriftSettings)
    description = stack.resolve(stack.properties("DriftAlarm")["AlarmDescription"])
    bucket = stack.name_of("ModelBucket")
    assert f"s3://{bucket}/{keys.report_key('drift/')}" in description


def test_drift_reads_capture_and_models_and_writes_only_reports_and_its_state(stack):
    keys = model_keys(stack, "DriftFunction", DriftSettings)
    allowed = grants(stack, "DriftFunction")
    # Past reports are read back for the trend and the link to the previous report.
    read = under(keys.capture_root, keys.model_root, keys.state_root, keys.reports_root)
    assert allowed["s3:GetObject"] == read
    assert allowed["s3:ListBucket"] == read
    assert allowed["s3:PutObject"] == under(keys.reports_root, keys.state_root)
    # Its state: the watermark, and the trend index read instead of listing past reports.
    for state in (keys.drift_watermark_key, keys.drift_trend_key("20300101T000000Z-abc")):
        assert state.startswith(keys.state_root)
        assert covers(allowed["s3:GetObject"], state)
        assert covers(allowed["s3:PutObject"], state)
    assert not covers(allowed["s3:PutObject"], keys.manifest_key("v1"))
    assert "s3:DeleteObject" not in allowed


def test_ground_truth_reads_labels_and_writes_labelled_data_and_reports(stack):
    keys = model_keys(stack, "GroundTruthFunction", GroundTruthSettings)
    allowed = grants(stack, "GroundTruthFunction")
    assert allowed["s3:GetObject"] == under(LABELS_PREFIX, keys.capture_root, keys.model_root)
    assert allowed["s3:ListBucket"] == under(keys.capture_root, keys.model_root)
    assert allowed["s3:PutObject"] == under(keys.labelled_root, keys.reports_root)
    events = stack.properties("GroundTruthFunction")["Events"]
    pattern = events["LabelsUploaded"]["Properties"]["Pattern"]
    assert pattern["detail"]["object"]["key"] == [{"prefix": LABELS_PREFIX}]


@pytest.mark.parametrize("logical_id", ["CaptureDeliveryStream", "CaptureLogDeliveryStream"])
def test_capture_goes_encrypted_to_the_private_bucket_where_drift_reads_it(stack, logical_id):
    keys = model_keys(stack, "DriftFunction", DriftSettings)
    stream = stack.properties(logical_id)
    assert stream["DeliveryStreamEncryptionConfigurationInput"]["KeyType"] == "AWS_OWNED_CMK"
    destination = stream["ExtendedS3DestinationConfiguration"]
    assert destination["BucketARN"] == stack.arn_of("ModelBucket")
    assert destination["Prefix"] == keys.capture_root
    assert destination["ErrorOutputPrefix"] == keys.capture_errors_root
    assert destination["CompressionFormat"] == "GZIP"
    allowed = grants(stack, "CaptureDeliveryRole")
    assert allowed["s3:PutObject"] == under(keys.capture_root, keys.capture_errors_root)


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


def test_captured_requests_expire_after_the_retention_parameter():
    stack = LocalStack(parameter_overrides={"CaptureRetentionDays": "30"})
    keys = model_keys(stack, "DriftFunction", DriftSettings)
    rules = stack.resolve(stack.properties("ModelBucket")["LifecycleConfiguration"]["Rules"])
    expiring = {rule["Prefix"]: rule for rule in rules if "Prefix" in rule}
    for root in (keys.capture_root, keys.capture_errors_root):
        (prefix,) = [prefix for prefix in expiring if root.startswith(prefix)]
        assert str(expiring[prefix]["ExpirationInDays"]) == "30"
        assert expiring[prefix]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}


def test_excluded_features_reach_both_capturing_functions():
    stack = LocalStack(parameter_overrides={"CaptureExcludedFeatures": "ssn,email"})
    for function in ("PredictFunction", "BatchScoreFunction"):
        assert stack.function_environment(function)["CAPTURE_EXCLUDED_FEATURES"] == "ssn,email"
