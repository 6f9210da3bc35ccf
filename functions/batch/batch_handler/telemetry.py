"""Batch scoring metrics (EMF): rows scored and rejected, throughput and file latency,
each with the model version as a dimension so a bad version shows up on its own."""

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from sklambda.observability import MODEL_NAME_DIMENSION, MODEL_VERSION_DIMENSION

MODE_DIMENSION = "Mode"


class BatchTelemetry:
    def __init__(self, metrics: Metrics, model_name: str) -> None:
        self._namespace = metrics.namespace
        self._model_name = model_name

    def _emit(self, values: list[tuple[str, MetricUnit, float]], **dimensions: str) -> None:
        for name, unit, value in values:
            with single_metric(
                name=name, unit=unit, value=value, namespace=self._namespace
            ) as metric:
                metric.add_dimension(MODEL_NAME_DIMENSION, self._model_name)
                for key, dimension in dimensions.items():
                    metric.add_dimension(key, dimension)

    def file_scored(
        self, version: str, mode: str, rows_scored: int, rows_rejected: int, seconds: float
    ) -> None:
        rate = (rows_scored + rows_rejected) / seconds if seconds > 0 else 0.0
        self._emit(
            [
                ("BatchRowsScored", MetricUnit.Count, rows_scored),
                ("BatchRowsRejected", MetricUnit.Count, rows_rejected),
                ("BatchRowsPerSecond", MetricUnit.CountPerSecond, rate),
                ("BatchFileLatency", MetricUnit.Milliseconds, seconds * 1000),
            ],
            **{MODEL_VERSION_DIMENSION: version, MODE_DIMENSION: mode},
        )

    def file_failed(self, reason: str, version: str | None = None) -> None:
        dimensions = {"Reason": reason}
        if version:
            dimensions[MODEL_VERSION_DIMENSION] = version
        self._emit([("BatchFilesFailed", MetricUnit.Count, 1)], **dimensions)
