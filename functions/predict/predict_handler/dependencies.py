"""Cached factories: one registry, loader and service per execution environment.

Tests replace what they need with ``cache_clear()`` and their own environment.
"""

from functools import cache
from pathlib import Path

from predict_handler.service import PredictionService
from predict_handler.settings import get_settings
from sklambda import aws
from sklambda.monitoring.capture import DataCapture
from sklambda.monitoring.capture_factory import build_capture
from sklambda.observability import metrics
from sklambda.registry.loader import ModelLoader
from sklambda.registry.store import ModelRegistry
from sklambda.telemetry import PredictionTelemetry


def new_registry() -> ModelRegistry:
    settings = get_settings()
    return ModelRegistry(
        aws.client("s3"), settings.model_bucket, settings.model_name, settings.model_prefix
    )


@cache
def get_loader() -> ModelLoader:
    settings = get_settings()
    return ModelLoader(
        new_registry(), Path(settings.model_cache_dir), settings.model_cache_ttl_seconds
    )


@cache
def get_capture() -> DataCapture:
    settings = get_settings()
    return build_capture(settings, settings.model_name)


@cache
def get_service() -> PredictionService:
    settings = get_settings()
    return PredictionService(
        get_loader(),
        PredictionTelemetry(metrics, settings.model_name),
        settings.max_rows_per_request,
        get_capture(),
    )


def reset() -> None:
    get_service.cache_clear()
    get_capture.cache_clear()
    get_loader.cache_clear()
    get_settings.cache_clear()
    aws.client.cache_clear()
    aws.best_effort_client.cache_clear()
