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
from sklambda.drift.statistics import (
    chi_square_goodness_of_fit,
    jensen_shannon_distance,
    ks_two_sample,
    population_stability_index,
)

DRIFT_REPORT_SCHEMA_VERSION = 1
OTHER_BUCKET = "__other__"
# Expected count given to the pooled "other" bucket when the baseline saw no such values:
# half an observation, so a single stray category barely moves chi-square while a steady
# stream of new categories still stands out.
OTHER_EXPECTED_COUNT_FLOOR = 0.5


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PredictionDrift(_Frozen):
    """Drift of one distribution: the model's predictions, or (below) a feature."""

    kind: FeatureKind
    bin_labels: list[str]
    baseline_proportions: list[float]
    current_proportions: list[float] | None
    psi: float | None = None
    js_distance: float | None = None
    drifted: bool | None = None


class FeatureDrift(PredictionDrift):
    """Drift of one feature. Statistics are None when there were too few values to judge."""

    name: str
    values_compared: int
    missing_rate: float | None
    baseline_missing_rate: float
    ks_statistic: float | None = None
    ks_p_value: float | None = None
    chi2_statistic: float | None = None
    chi2_p_value: float | None = None


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

    A feature drifts when its PSI reaches ``psi_threshold`` or its test (KS for numeric,
    chi-square for categorical) gives a p-value below ``p_value_threshold``; the threshold
    is strict because every feature is tested in each report. KS compares the current
    values with the baseline's bounded reference sample, and its p-value uses the sizes of
    those two samples. Chi-square uses every current value, so on very large batches it
    detects shifts too small to matter: read it together with PSI. Columns or predictions
    with fewer than ``min_samples`` usable values get no statistics at all.
    """
    data = np.asarray(current_matrix)
    if data.ndim != 2 or data.shape[1] != len(baseline.features):
        raise ValueError(f"current_matrix must be 2-D with {len(baseline.features)} columns")
    judge = _Judge(min_samples, psi_threshold, p_value_threshold)
    insufficient = data.shape[0] < min_samples
    features = [
        judge.feature(reference, data[:, index], insufficient)
        for index, reference in enumerate(baseline.features)
    ]
    prediction = judge.prediction(baseline.prediction, np.asarray(current_predictions).ravel())
    scored = [feature for feature in features if feature.psi is not None]
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
    def __init__(self, min_samples: int, psi_threshold: float, p_value_threshold: float):
        self.min_samples = min_samples
        self.psi_threshold = psi_threshold
        self.p_value_threshold = p_value_threshold

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
        drifted = None if scored.psi is None else scored.psi >= self.psi_threshold
        return PredictionDrift(
            kind=scored.kind,
            bin_labels=scored.bin_labels,
            baseline_proportions=scored.baseline_proportions,
            current_proportions=scored.current_proportions,
            psi=scored.psi,
            js_distance=scored.js_distance,
            drifted=drifted,
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
        edges = np.asarray(reference.bin_edges, dtype=np.float64)
        current = proportions(bin_counts_sorted(values, edges))
        ks = ks_two_sample(reference.reference_sample, values, assume_sorted=True)
        psi = population_stability_index(reference.bin_proportions, current)
        return unscored.model_copy(
            update={
                "values_compared": int(values.size),
                "missing_rate": missing_rate,
                "current_proportions": current.tolist(),
                "psi": psi,
                "js_distance": jensen_shannon_distance(reference.bin_proportions, current),
                "ks_statistic": ks.statistic,
                "ks_p_value": ks.p_value,
                "drifted": psi >= self.psi_threshold or ks.p_value < self.p_value_threshold,
            }
        )

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
        current = proportions(observed)
        baseline_shares = np.asarray(unscored.baseline_proportions)
        psi = population_stability_index(baseline_shares, current)
        chi2_statistic, chi2_p_value = self._chi_square(observed, baseline_shares)
        significant = chi2_p_value is not None and chi2_p_value < self.p_value_threshold
        return unscored.model_copy(
            update={
                "values_compared": int(values.size),
                "missing_rate": missing_rate,
                "current_proportions": current.tolist(),
                "psi": psi,
                "js_distance": jensen_shannon_distance(baseline_shares, current),
                "chi2_statistic": chi2_statistic,
                "chi2_p_value": chi2_p_value,
                "drifted": psi >= self.psi_threshold or significant,
            }
        )

    @staticmethod
    def _chi_square(
        observed: npt.NDArray[np.int64], baseline_shares: npt.NDArray[np.float64]
    ) -> tuple[float | None, float | None]:
        shares = baseline_shares.copy()
        if observed[-1] == 0 and shares[-1] == 0:
            # Nothing new and nothing pooled: the "other" bucket would only add a degree
            # of freedom.
            observed, shares = observed[:-1], shares[:-1]
        else:
            shares[-1] = max(shares[-1], OTHER_EXPECTED_COUNT_FLOOR / observed.sum())
        if observed.size < 2:
            return None, None
        result = chi_square_goodness_of_fit(observed, shares)
        return result.statistic, result.p_value


def numeric_bin_labels(edges: list[float]) -> list[str]:
    """Readable bin names for plots; a bin one float wide holds a single repeated value."""
    if not edges:
        return ["all"]
    labels = [f"< {edges[0]:.6g}"]
    for low, high in pairwise(edges):
        same = high == np.nextafter(low, np.inf)
        labels.append(f"= {low:.6g}" if same else f"[{low:.6g}, {high:.6g})")
    labels.append(f">= {edges[-1]:.6g}")
    return labels
