"""Capture's one metric (EMF): records sampled but not delivered, emitted where capture runs."""

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from sklambda.observability import MODEL_NAME_DIMENSION


class CaptureTelemetry:
    """Counts capture records that were sampled but could not be delivered."""

    def __init__(self, metrics: Metrics, model_name: str) -> None:
        self._namespace = metrics.namespace
        self._model_name = model_name

    def capture_failed(self, source: str, records: int) -> None:
        with single_metric(
            name="CaptureFailures", unit=MetricUnit.Count, value=records, namespace=self._namespace
        ) as metric:
            metric.add_dimension(MODEL_NAME_DIMENSION, self._model_name)
            metric.add_dimension("Source", source)
