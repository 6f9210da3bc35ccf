"""Builds the capture adapter a function uses; functions cache the result per environment."""

from sklambda import aws
from sklambda.monitoring.capture import (
    LOG_EVENT_MAX_BYTES,
    DataCapture,
    FirehoseCaptureSink,
    LogLineCaptureSink,
)
from sklambda.monitoring.capture_settings import CaptureSamplingSettings, CaptureSettings
from sklambda.monitoring.capture_telemetry import CaptureTelemetry
from sklambda.observability import metrics


def build_capture(settings: CaptureSettings, model_name: str) -> DataCapture:
    """Records put to Firehose by the function (batch: large records, nobody waiting)."""
    sink = (
        FirehoseCaptureSink(aws.best_effort_client("firehose"), settings.capture_stream_name)
        if settings.capture_stream_name
        else None
    )
    return DataCapture(
        sink,
        settings.capture_sampling_rate,
        CaptureTelemetry(metrics, model_name),
        excluded_features=settings.excluded_features,
    )


def build_log_capture(settings: CaptureSamplingSettings, model_name: str) -> DataCapture:
    """Records printed as log lines that a subscription filter forwards (real-time requests)."""
    return DataCapture(
        LogLineCaptureSink(),
        settings.capture_sampling_rate,
        CaptureTelemetry(metrics, model_name),
        max_record_bytes=LOG_EVENT_MAX_BYTES,
        excluded_features=settings.excluded_features,
    )
