"""Monitoring metrics as EMF, through Powertools.

EMF costs no API call and no IAM permission, lands with the function's logs and is
turned into metrics by CloudWatch itself; a run publishes a few hundred values at most.
Each blob carries two dimension sets: with the model version (to compare versions) and
without it (so alarms and dashboards keep working across promotions).
"""

from collections.abc import Callable

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from sklambda.drift import STATISTICS, DriftReport, FeatureDrift, PredictionDrift
from sklambda.observability import MODEL_NAME_DIMENSION, MODEL_VERSION_DIMENSION

FEATURE_DIMENSION = "Feature"


class MonitoringTelemetry:
    def __init__(self, namespace: str | None, model_name: str) -> None:
        self._namespace = namespace
        self._model_name = model_name

    def _blob(
        self, version: str | None, extra: dict[str, str], fill: Callable[[EphemeralMetrics], None]
    ) -> None:
        blob = EphemeralMetrics(namespace=self._namespace)
        blob.add_dimension(MODEL_NAME_DIMENSION, self._model_name)
        if version:
            blob.add_dimension(MODEL_VERSION_DIMENSION, version)
        for name, value in extra.items():
            blob.add_dimension(name, value)
        blob.add_dimensions(**{MODEL_NAME_DIMENSION: self._model_name, **extra})
        fill(blob)
        blob.flush_metrics()

    def drift(self, version: str, report: DriftReport) -> None:
        if report.insufficient_data or report.max_psi is None:
            self.insufficient_data(version, report.sample_size)
            return
        for feature in report.features:
            self._feature(version, feature)

        def aggregates(blob: EphemeralMetrics) -> None:
            blob.add_metric("DriftSampleSize", MetricUnit.Count, report.sample_size)
            blob.add_metric("DriftInsufficientData", MetricUnit.Count, 0)
            blob.add_metric("MaxPSI", MetricUnit.NoUnit, report.max_psi or 0.0)
            blob.add_metric("DriftedFeatures", MetricUnit.Count, report.drifted_feature_count or 0)
            blob.add_metric("DriftedFeatureShare", MetricUnit.NoUnit, report.drifted_fraction or 0)
            _statistics(blob, "Prediction", report.prediction)

        self._blob(version, {}, aggregates)

    def insufficient_data(self, version: str | None, sample_size: int) -> None:
        """A marker, not a drift value: alarms treat the missing drift metrics as not breaching."""

        def marker(blob: EphemeralMetrics) -> None:
            blob.add_metric("DriftInsufficientData", MetricUnit.Count, 1)
            blob.add_metric("DriftSampleSize", MetricUnit.Count, sample_size)

        self._blob(version, {}, marker)

    def _feature(self, version: str, feature: FeatureDrift) -> None:
        if not feature.statistics:
            return

        def values(blob: EphemeralMetrics) -> None:
            blob.add_metric("FeatureDrifted", MetricUnit.Count, int(bool(feature.drifted)))
            _statistics(blob, "Feature", feature)

        self._blob(version, {FEATURE_DIMENSION: feature.name}, values)

    def performance(self, version: str, scores: dict[str, float], matched: int) -> None:
        def values(blob: EphemeralMetrics) -> None:
            blob.add_metric("LabelsMatched", MetricUnit.Count, matched)
            for name, value in scores.items():
                blob.add_metric(name, MetricUnit.NoUnit, value)

        self._blob(version, {}, values)

    def unmatched_labels(self, count: int) -> None:
        def values(blob: EphemeralMetrics) -> None:
            blob.add_metric("LabelsUnmatched", MetricUnit.Count, count)

        self._blob(None, {}, values)


def _statistics(blob: EphemeralMetrics, prefix: str, scored: PredictionDrift) -> None:
    """One metric per statistic of the registry, and one per p-value where it has one."""
    for definition in STATISTICS:
        result = scored.statistics.get(definition.name)
        if result is None:
            continue
        blob.add_metric(f"{prefix}{definition.metric}", MetricUnit.NoUnit, result.value)
        if definition.p_value_metric and result.p_value is not None:
            blob.add_metric(
                f"{prefix}{definition.p_value_metric}", MetricUnit.NoUnit, result.p_value
            )
