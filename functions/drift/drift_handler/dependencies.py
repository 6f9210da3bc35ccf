"""Cached factories: one set of adapters and services per execution environment."""

from functools import cache

from drift_handler.adapters.capture_store import CaptureStore
from drift_handler.adapters.label_store import LabelStore
from drift_handler.adapters.report_store import ReportStore
from drift_handler.adapters.watermark import WatermarkStore
from drift_handler.services.drift import DriftService
from drift_handler.services.ground_truth import GroundTruthService
from drift_handler.settings import get_settings
from drift_handler.telemetry import MonitoringTelemetry
from sklambda import aws
from sklambda.observability import metrics
from sklambda.registry.factory import registry_for
from sklambda.registry.store import ModelRegistry


@cache
def get_registry() -> ModelRegistry:
    return registry_for(get_settings())


@cache
def get_capture_store() -> CaptureStore:
    settings = get_settings()
    return CaptureStore(aws.client("s3"), settings.model_bucket, settings.capture_root())


@cache
def get_report_store() -> ReportStore:
    settings = get_settings()
    return ReportStore(aws.client("s3"), settings.model_bucket, settings.reports_root())


@cache
def get_telemetry() -> MonitoringTelemetry:
    return MonitoringTelemetry(metrics.namespace, get_settings().model_name)


@cache
def get_drift_service() -> DriftService:
    settings = get_settings()
    return DriftService(
        settings,
        get_registry(),
        get_capture_store(),
        WatermarkStore(aws.client("s3"), settings.model_bucket, settings.watermark_key()),
        get_report_store(),
        get_telemetry(),
    )


@cache
def get_ground_truth_service() -> GroundTruthService:
    settings = get_settings()
    return GroundTruthService(
        settings,
        LabelStore(aws.client("s3"), settings.model_bucket, settings.labelled_root()),
        get_registry(),
        get_capture_store(),
        get_report_store(),
        get_telemetry(),
    )


def reset() -> None:
    for factory in (
        get_drift_service,
        get_ground_truth_service,
        get_telemetry,
        get_report_store,
        get_capture_store,
        get_registry,
        get_settings,
        aws.client,
    ):
        factory.cache_clear()
