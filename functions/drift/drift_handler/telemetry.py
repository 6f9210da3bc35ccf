"""Monitoring metrics as EMF, through Powertools.

EMF costs no API call and no IAM permission, lands with the function's logs and is
turned into metrics by CloudWatch itself; a run publishes a few hundred values at most.
Each blob carries two dimension sets: with the model version (to compare versions) and
without it (so alarms and dashboards keep working across promotions).
"""

from collections.abc import Callable

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from sklambda.drift import DriftReport, FeatureDrift
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
            if report.prediction.psi is not None:
                blob.add_metric("PredictionPSI", MetricUnit.NoUnit, report.prediction.psi)
                blob.add_metric(
                    "PredictionJSDistance", MetricUnit.NoUnit, report.prediction.js_distance or 0
                )

        self._blob(version, {}, aggregates)

    def insufficient_data(self, version: str | None, sample_size: int) -> None:
        """A marker, not a drift value: alarms treat the missing drift metrics as not breaching."""

        def marker(blob: EphemeralMetrics) -> None:
            blob.add_metric("DriftInsufficientData", MetricUnit.Count, 1)
            blob.add_metric("DriftSampleSize", MetricUnit.Count, sample_size)

        self._blob(version, {}, marker)

    def _feature(self, version: str, feature: FeatureDrift) -> None:
        if feature.psi is None:
            return

        def statistics(blob: EphemeralMetrics) -> None:
            blob.add_metric("FeaturePSI", MetricUnit.NoUnit, feature.psi or 0.0)
            blob.add_metric("FeatureJSDistance", MetricUnit.NoUnit, feature.js_distance or 0.0)
            blob.add_metric("FeatureDrifted", MetricUnit.Count, int(bool(feature.drifted)))
            if feature.ks_statistic is not None:
                blob.add_metric("FeatureKSStatistic", MetricUnit.NoUnit, feature.ks_statistic)
                blob.add_metric("FeatureKSPValue", MetricUnit.NoUnit, feature.ks_p_value or 0.0)
            if feature.chi2_statistic is not None:
                blob.add_metric("FeatureChiSquare", MetricUnit.NoUnit, feature.chi2_statistic)
                blob.add_metric(
                    "FeatureChiSquarePValue", MetricUnit.NoUnit, feature.chi2_p_value or 0.0
                )

        self._blob(version, {FEATURE_DIMENSION: feature.name}, statistics)

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
