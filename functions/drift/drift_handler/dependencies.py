"""Cached factories: one set of adapters and services per execution environment."""

from datetime import timedelta
from functools import cache

from drift_handler.adapters.capture_store import CaptureStore
from drift_handler.adapters.label_store import LabelStore
from drift_handler.adapters.report_store import ReportStore
from drift_handler.adapters.watermark import WatermarkStore
from drift_handler.services.drift import DriftService
from drift_handler.services.ground_truth import GroundTruthService
from drift_handler.settings import get_drift_settings, get_ground_truth_settings, get_settings
from drift_handler.telemetry import MonitoringTelemetry
from sklambda import aws
from sklambda.observability import metrics
from sklambda.registry.factory import registry_for
from sklambda.registry.store import ModelRegistry
from sklambda.storage.objects import S3Objects


@cache
def get_registry() -> ModelRegistry:
    return registry_for(get_settings())


def _objects() -> S3Objects:
    return S3Objects(aws.client("s3"), get_settings().model_bucket)


@cache
def get_capture_store() -> CaptureStore:
    return CaptureStore(_objects(), get_settings().model_keys())


@cache
def get_report_store() -> ReportStore:
    return ReportStore(_objects(), get_settings().model_keys())


@cache
def get_telemetry() -> MonitoringTelemetry:
    return MonitoringTelemetry(metrics.namespace, get_settings().model_name)


@cache
def get_drift_service() -> DriftService:
    settings = get_drift_settings()
    return DriftService(
        get_registry(),
        get_capture_store(),
        WatermarkStore(_objects(), settings.model_keys().drift_watermark_key),
        get_report_store(),
        get_telemetry(),
        max_window=timedelta(hours=settings.max_window_hours),
        min_samples=settings.min_samples,
        psi_threshold=settings.psi_threshold,
        p_value_threshold=settings.p_value_threshold,
    )


@cache
def get_ground_truth_service() -> GroundTruthService:
    settings = get_ground_truth_settings()
    return GroundTruthService(
        LabelStore(_objects(), settings.model_keys()),
        get_registry(),
        get_capture_store(),
        get_report_store(),
        get_telemetry(),
        label_lookback=timedelta(hours=settings.label_lookback_hours),
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
        get_drift_settings,
        get_ground_truth_settings,
        aws.client,
    ):
        factory.cache_clear()
