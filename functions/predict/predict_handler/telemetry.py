"""PredictFunction's metrics (EMF): rows predicted, latency, invalid requests, model loads."""

from collections.abc import Mapping

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from sklambda.observability import MODEL_NAME_DIMENSION, MODEL_VERSION_DIMENSION


class PredictionTelemetry:
    def __init__(self, metrics: Metrics, model_name: str) -> None:
        self._metrics = metrics
        self._model_name = model_name

    def _one(self, name: str, unit: MetricUnit, value: float, **dimensions: str) -> None:
        namespace = self._metrics.namespace
        with single_metric(name=name, unit=unit, value=value, namespace=namespace) as metric:
            metric.add_dimension(MODEL_NAME_DIMENSION, self._model_name)
            for key, dimension in dimensions.items():
                metric.add_dimension(key, dimension)

    def predicted(self, version: str, rows: int, seconds: float) -> None:
        self._metrics.add_dimension(MODEL_NAME_DIMENSION, self._model_name)
        self._metrics.add_dimension(MODEL_VERSION_DIMENSION, version)
        self._metrics.add_metric("PredictionCount", MetricUnit.Count, rows)
        self._metrics.add_metric("PredictLatency", MetricUnit.Milliseconds, seconds * 1000)

    def invalid_request(self, reason: str, version: str | None = None) -> None:
        dimensions = {"Reason": reason}
        if version:
            dimensions[MODEL_VERSION_DIMENSION] = version
        self._one("InvalidRequests", MetricUnit.Count, 1, **dimensions)

    def model_loaded(self, version: str, seconds: float) -> None:
        self._one(
            "ModelLoadTime",
            MetricUnit.Milliseconds,
            seconds * 1000,
            **{MODEL_VERSION_DIMENSION: version},
        )

    def model_refresh_failed(self, serving_version: str) -> None:
        self._one(
            "ModelRefreshFailures",
            MetricUnit.Count,
            1,
            **{MODEL_VERSION_DIMENSION: serving_version},
        )

    def unseen_categories(self, version: str, by_feature: Mapping[str, int]) -> None:
        """Values the model never saw, per feature: a rising count means the world changed."""
        for feature, count in by_feature.items():
            self._one(
                "UnseenCategories",
                MetricUnit.Count,
                count,
                **{MODEL_VERSION_DIMENSION: version, "Feature": feature},
            )
