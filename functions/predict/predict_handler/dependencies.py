"""Cached factories: one registry, loader and service per execution environment.

Tests replace what they need with ``cache_clear()`` and their own environment.
"""

from functools import cache

from predict_handler.services.prediction import PredictionService
from predict_handler.settings import get_settings
from predict_handler.telemetry import PredictionTelemetry
from sklambda import aws
from sklambda.monitoring.capture import DataCapture
from sklambda.monitoring.capture_factory import build_log_capture
from sklambda.observability import metrics
from sklambda.registry.factory import loader_for
from sklambda.registry.loader import ModelLoader


@cache
def get_loader() -> ModelLoader:
    return loader_for(get_settings())


@cache
def get_capture() -> DataCapture:
    settings = get_settings()
    return build_log_capture(settings, settings.model_name)


@cache
def get_prediction_service() -> PredictionService:
    settings = get_settings()
    return PredictionService(
        get_loader(),
        PredictionTelemetry(metrics, settings.model_name),
        settings.max_rows_per_request,
        get_capture(),
    )


def reset() -> None:
    get_prediction_service.cache_clear()
    get_capture.cache_clear()
    get_loader.cache_clear()
    get_settings.cache_clear()
    aws.clear_clients()
