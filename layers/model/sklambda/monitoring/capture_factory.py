"""Builds the capture adapter a function uses; functions cache the result per environment."""

from sklambda import aws
from sklambda.monitoring.capture import DataCapture, FirehoseCaptureSink
from sklambda.monitoring.capture_settings import CaptureSettings
from sklambda.monitoring.capture_telemetry import CaptureTelemetry
from sklambda.observability import metrics


def build_capture(settings: CaptureSettings, model_name: str) -> DataCapture:
    sink = (
        FirehoseCaptureSink(aws.best_effort_client("firehose"), settings.capture_stream_name)
        if settings.capture_stream_name
        else None
    )
    return DataCapture(sink, settings.capture_sampling_rate, CaptureTelemetry(metrics, model_name))
