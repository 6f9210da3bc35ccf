"""Compare a batch of recent traffic with the training baseline, feature by feature."""

from itertools import pairwise

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from sklambda.drift.baseline import Baseline, CategoricalBaseline, FeatureKind, NumericBaseline
from sklambda.drift.columns import (
    bin_counts_sorted,
    categorical_values,
    category_counts,
    numeric_values,
    proportions,
)
from sklambda.drift.registry import STATISTICS, Comparison, DriftStatistic, Thresholds

DRIFT_REPORT_SCHEMA_VERSION = 2
OTHER_BUCKET = "__other__"
EN_DASH = "\N{EN DASH}"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StatisticResult(_Frozen):
    """One statistic of one column; ``triggered`` is None for a statistic with no threshold."""

    value: float
    p_value: float | None = None
    threshold: float | None = None
    triggered: bool | None = None


class PredictionDrift(_Frozen):
    """Drift of one distribution: the model's predictions, or (below) a feature.

    ``statistics`` is keyed by the names in ``sklambda.drift.registry.STATISTICS`` and is
    empty when there were too few values to judge.
    """

    kind: FeatureKind
    bin_labels: list[str]
    baseline_proportions: list[float]
    current_proportions: list[float] | None
    statistics: dict[str, StatisticResult] = {}
    triggered_by: list[str] = []
    drifted: bool | None = None

    def value(self, name: str) -> float | None:
        result = self.statistics.get(name)
        return None if result is None else result.value

    @property
    def psi(self) -> float | None:
        return self.value("psi")


class FeatureDrift(PredictionDrift):
    """Drift of one feature."""

    name: str
    values_compared: int
    missing_rate: float | None
    baseline_missing_rate: float


class DriftReport(_Frozen):
    schema_version: int = DRIFT_REPORT_SCHEMA_VERSION
    baseline_schema_version: int
    sample_size: int
    min_samples: int
    psi_threshold: float
    p_value_threshold: float
    insufficient_data: bool
    features: list[FeatureDrift]
    prediction: PredictionDrift
    max_psi: float | None
    drifted_feature_count: int | None
    drifted_fraction: float | None


def evaluate_drift(
    baseline: Baseline,
    current_matrix: npt.ArrayLike,
    current_predictions: npt.ArrayLike,
    *,
    min_samples: int = 500,
    psi_threshold: float = 0.2,
    p_value_threshold: float = 0.001,
) -> DriftReport:
    """Score every feature and the predictions of ``current_matrix`` against ``baseline``.

    A feature drifts when any statistic of the registry that has a threshold triggers: PSI
    reaching ``psi_threshold``, or a test (KS for numeric, chi-square for categorical) giving
    a p-value below ``p_value_threshold``; that threshold is strict because every feature is
    tested in each report. KS compares the current values with the baseline's bounded
    reference sample, and its p-value uses the sizes of those two samples. Chi-square uses
    every current value, so on very large batches it detects shifts too small to matter:
    read it together with PSI. Predictions are judged by the statistics marked for them.
    Columns or predictions with fewer than ``min_samples`` usable values get no statistics.
    """
    data = np.asarray(current_matrix)
    if data.ndim != 2 or data.shape[1] != len(baseline.features):
        raise ValueError(f"current_matrix must be 2-D with {len(baseline.features)} columns")
    judge = _Judge(min_samples, Thresholds(psi=psi_threshold, p_value=p_value_threshold))
    insufficient = data.shape[0] < min_samples
    features = [
        judge.feature(reference, data[:, index], insufficient)
        for index, reference in enumerate(baseline.features)
    ]
    prediction = judge.prediction(baseline.prediction, np.asarray(current_predictions).ravel())
    scored = [feature for feature in features if feature.statistics]
    drifted = sum(1 for feature in scored if feature.drifted)
    return DriftReport(
        baseline_schema_version=baseline.schema_version,
        sample_size=int(data.shape[0]),
        min_samples=min_samples,
        psi_threshold=psi_threshold,
        p_value_threshold=p_value_threshold,
        insufficient_data=insufficient,
        features=features,
        prediction=prediction,
        max_psi=max((f.psi for f in scored if f.psi is not None), default=None),
        drifted_feature_count=drifted if scored else None,
        drifted_fraction=drifted / len(scored) if scored else None,
    )


class _Judge:
    def __init__(self, min_samples: int, thresholds: Thresholds):
        self.min_samples = min_samples
        self.thresholds = thresholds

    def feature(
        self,
        reference: NumericBaseline | CategoricalBaseline,
        column: npt.NDArray[np.generic],
        insufficient: bool,
    ) -> FeatureDrift:
        if isinstance(reference, NumericBaseline):
            return self._numeric(reference, column, insufficient)
        return self._categorical(reference, column, insufficient)

    def prediction(
        self, reference: NumericBaseline | CategoricalBaseline, predictions: npt.NDArray[np.generic]
    ) -> PredictionDrift:
        scored = self.feature(reference, predictions, predictions.size < self.min_samples)
        judged = [s for s in STATISTICS if s.on_predictions]
        statistics = {n: r for n, r in scored.statistics.items() if n in {s.name for s in judged}}
        triggered = [name for name, result in statistics.items() if result.triggered]
        return PredictionDrift(
            kind=scored.kind,
            bin_labels=scored.bin_labels,
            baseline_proportions=scored.baseline_proportions,
            current_proportions=scored.current_proportions,
            statistics=statistics,
            triggered_by=triggered,
            drifted=bool(triggered) if statistics else None,
        )

    def _scored(
        self, unscored: FeatureDrift, comparison: Comparison, missing_rate: float
    ) -> FeatureDrift:
        statistics: dict[str, StatisticResult] = {}
        for definition in STATISTICS:
            if definition.applies_to(comparison.kind):
                result = self._measure(definition, comparison)
                if result is not None:
                    statistics[definition.name] = result
        triggered = [name for name, result in statistics.items() if result.triggered]
        return unscored.model_copy(
            update={
                "values_compared": int(comparison.current_counts.sum()),
                "missing_rate": missing_rate,
                "current_proportions": comparison.current_shares.tolist(),
                "statistics": statistics,
                "triggered_by": triggered,
                "drifted": bool(triggered),
            }
        )

    def _measure(
        self, definition: DriftStatistic, comparison: Comparison
    ) -> StatisticResult | None:
        measured = definition.compute(comparison)
        if measured is None:
            return None
        return StatisticResult(
            value=measured.value,
            p_value=measured.p_value,
            threshold=None
            if definition.threshold is None
            else self.thresholds.limit(definition.threshold),
            triggered=definition.triggered(measured, self.thresholds),
        )

    def _numeric(
        self, reference: NumericBaseline, column: npt.NDArray[np.generic], insufficient: bool
    ) -> FeatureDrift:
        values, missing = numeric_values(column)
        unscored = FeatureDrift(
            name=reference.name,
            kind="numeric",
            values_compared=0,
            missing_rate=None,
            baseline_missing_rate=reference.missing_rate,
            bin_labels=numeric_bin_labels(reference.bin_edges),
            baseline_proportions=reference.bin_proportions,
            current_proportions=None,
        )
        if insufficient:
            return unscored
        missing_rate = missing / column.size
        if values.size < self.min_samples or not reference.reference_sample:
            return unscored.model_copy(update={"missing_rate": missing_rate})
        # One sort serves both the histogram and the KS comparison.
        values.sort()
        counts = bin_counts_sorted(values, np.asarray(reference.bin_edges, dtype=np.float64))
        comparison = Comparison(
            kind="numeric",
            baseline_shares=np.asarray(reference.bin_proportions, dtype=np.float64),
            current_counts=counts,
            current_shares=proportions(counts),
            reference_sample=np.asarray(reference.reference_sample, dtype=np.float64),
            current_values=values,
        )
        return self._scored(unscored, comparison, missing_rate)

    def _categorical(
        self, reference: CategoricalBaseline, column: npt.NDArray[np.generic], insufficient: bool
    ) -> FeatureDrift:
        values, missing = categorical_values(column)
        labels = list(reference.category_proportions)
        expected = list(reference.category_proportions.values())
        unscored = FeatureDrift(
            name=reference.name,
            kind="categorical",
            values_compared=0,
            missing_rate=None,
            baseline_missing_rate=reference.missing_rate,
            bin_labels=[*labels, OTHER_BUCKET],
            baseline_proportions=[*expected, reference.other_proportion],
            current_proportions=None,
        )
        if insufficient:
            return unscored
        missing_rate = missing / column.size
        if values.size < self.min_samples or not labels:
            return unscored.model_copy(update={"missing_rate": missing_rate})
        order = np.argsort(labels)
        sorted_counts, unseen = category_counts(values, np.asarray(labels)[order])
        counts = np.empty_like(sorted_counts)
        counts[order] = sorted_counts
        observed = np.append(counts, unseen)
        comparison = Comparison(
            kind="categorical",
            baseline_shares=np.asarray(unscored.baseline_proportions, dtype=np.float64),
            current_counts=observed,
            current_shares=proportions(observed),
        )
        return self._scored(unscored, comparison, missing_rate)


def numeric_bin_labels(edges: list[float]) -> list[str]:
    """Readable bin names: each bin holds its lower edge, not its upper one.

    Edges get the fewest significant digits (three or more) that keep them distinct; a bin
    one float wide holds a single repeated value.
    """
    if not edges:
        return ["all"]
    digits = next(
        (d for d in range(3, 18) if len({f"{edge:.{d}g}" for edge in edges}) == len(set(edges))),
        17,
    )

    def text(value: float) -> str:
        return f"{value:.{digits}g}"

    labels = [f"< {text(edges[0])}"]
    for low, high in pairwise(edges):
        same = high == np.nextafter(low, np.inf)
        labels.append(f"= {text(low)}" if same else f"{text(low)}{EN_DASH}{text(high)}")
    labels.append(f"≥ {text(edges[-1])}")
    return labels
