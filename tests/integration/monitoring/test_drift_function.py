"""DriftFunction over captured traffic: metrics in CloudWatch, reports in S3, the alarm."""

import json
import re
from datetime import UTC, datetime, timedelta

from sklambda import aws
from sklambda.storage.keys import ModelKeys
from sklambda_local.alarms import evaluate_alarms
from tests.integration.conftest import load_event
from tests.integration.monitoring.conftest import (
    metric_values,
    predict_event,
    traffic,
    wait_for_the_next_whole_second,
)

MODEL = {"ModelName": "sklambda-model"}


def _alarm_state(stack, logical_id: str) -> str:
    name = stack.name_of(logical_id)
    (alarm,) = aws.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    return str(alarm["StateValue"])


def _read(bucket: str, uri: str) -> str:
    key = uri.removeprefix(f"s3://{bucket}/")
    return aws.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode()


def test_below_the_minimum_sample_only_a_marker_is_published_and_no_alarm_fires(
    run_function, champion, capture_stream, alarm_stack, registry, traffic_source
):
    # Given fewer captured rows than DRIFT_MIN_SAMPLES, all of them far off the baseline
    run_function(
        "PredictFunction", predict_event(traffic(traffic_source, 40, seed=3, scale_first=30), "few")
    )
    wait_for_the_next_whole_second()
    # When the scheduled run evaluates them
    result = run_function("DriftFunction", load_event("drift_schedule"))
    # Then it reports insufficient data, publishes only the marker, and keeps the window open
    (version,) = result["versions"]
    assert version["insufficient_data"] is True
    assert version["max_psi"] is None
    assert result["watermark_advanced"] is False
    assert metric_values("DriftInsufficientData", MODEL) == [1.0]
    assert metric_values("MaxPSI", MODEL) == []
    evaluate_alarms(alarm_stack, aws.client("cloudwatch"))
    assert _alarm_state(alarm_stack, "DriftAlarm") == "OK"


def test_shifted_traffic_drifts_publishes_per_feature_metrics_and_fires_the_alarm(
    run_function, champion, capture_stream, alarm_stack, registry, traffic_source
):
    cloudwatch = aws.client("cloudwatch")
    # Given normal traffic, evaluated once
    run_function("PredictFunction", predict_event(traffic(traffic_source, 600, seed=4), "normal"))
    wait_for_the_next_whole_second()
    normal = run_function("DriftFunction", {})
    evaluate_alarms(alarm_stack, cloudwatch)
    assert normal["versions"][0]["max_psi"] < 0.2
    assert _alarm_state(alarm_stack, "DriftAlarm") == "OK"
    # When traffic whose first eight features grew by 60% arrives and the next run reads it
    shifted_rows = traffic(traffic_source, 600, seed=5, scale_first=8)
    run_function("PredictFunction", predict_event(shifted_rows, "shifted"))
    wait_for_the_next_whole_second()
    shifted = run_function("DriftFunction", {})
    # Then only the new window is read and the shifted features are the drifted ones
    (version,) = shifted["versions"]
    assert version["sample_size"] == 600
    assert shifted["window_start"] == normal["window_end"]
    names = champion.feature_schema.names
    assert set(names[:8]) <= set(version["drifted_features"])
    # And CloudWatch holds the per-feature and aggregate metrics with model name and version
    per_feature = {
        name: metric_values(
            "FeaturePSI",
            {**MODEL, "ModelVersion": champion.version, "Feature": name, "service": "sklambda"},
        )
        for name in names
    }
    assert all(len(values) == 2 for values in per_feature.values())
    assert per_feature[names[0]][1] > 0.2 > per_feature[names[0]][0]
    now = datetime.now(UTC)
    stats = cloudwatch.get_metric_statistics(
        Namespace="Sklambda",
        MetricName="MaxPSI",
        Dimensions=[{"Name": "ModelName", "Value": "sklambda-model"}],
        StartTime=now - timedelta(minutes=10),
        EndTime=now + timedelta(minutes=1),
        Period=3600,
        Statistics=["Maximum"],
    )["Datapoints"]
    assert max(point["Maximum"] for point in stats) == version["max_psi"]
    # And the alarm evaluated from its template definition goes into ALARM
    results = evaluate_alarms(alarm_stack, cloudwatch)
    assert _alarm_state(alarm_stack, "DriftAlarm") == "ALARM", results["DriftAlarm"].reason
    assert _alarm_state(alarm_stack, "PredictErrorRateAlarm") == "OK"
    # And the JSON and HTML reports are in S3, the HTML with a chart for every feature
    report = json.loads(_read(registry.bucket, version["json_report"]))
    assert report["sample_size"] == 600
    html = _read(registry.bucket, version["html_report"])
    assert sorted(re.findall(r'data-feature="([^"]+)"', html)) == sorted(names)
    assert html.count(">share of rows</text>") == len(names) + 1
    # And it is linked to the first run's report, whose max PSI starts the trend
    assert f'href="{normal["run_id"]}.html"' in html
    assert 'aria-label="max PSI by run"' in html
    # And the trend the next run reads is one object, written under the function's own role
    trend_key = ModelKeys("sklambda-model").drift_trend_key(champion.version or "")
    trend = json.loads(
        aws.client("s3").get_object(Bucket=registry.bucket, Key=trend_key)["Body"].read()
    )
    assert [run["run_id"] for run in trend["runs"]] == [normal["run_id"], shifted["run_id"]]
    assert trend["runs"][-1]["max_psi"] == version["max_psi"]


def test_an_empty_window_publishes_the_marker(run_function, champion, registry):
    result = run_function("DriftFunction", load_event("drift_schedule"))
    assert result["versions"] == []
    assert result["captured_objects"] == 0
    assert metric_values("DriftInsufficientData", MODEL) == [1.0]


def test_a_window_ending_long_before_now_is_refused_in_one_line(run_function, champion, registry):
    # SAM's generated scheduled event has 1970 for its time and no version
    event = load_event("scheduled_event_sam")
    assert "version" not in event
    try:
        run_function("DriftFunction", event)
    except ValueError as error:
        message = str(error)
    else:
        raise AssertionError("a 1970 window was evaluated")
    assert "\n" not in message
    assert message.startswith("the event's time 1970-01-01T00:00:00Z ends a window")
    assert "DriftMaxWindowHours" in message
    assert (
        not aws.client("s3")
        .list_objects_v2(Bucket=registry.bucket, Prefix="reports/")
        .get("Contents")
    )


def test_the_same_scheduled_event_at_the_current_time_runs(run_function, champion):
    event = load_event("scheduled_event_sam")
    event["time"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = run_function("DriftFunction", event)
    assert result["window_end"] <= event["time"]
