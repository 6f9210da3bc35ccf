"""Training baseline: the reference distributions that later traffic is compared against."""

from collections.abc import Sequence
from typing import Annotated, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from sklambda.drift.columns import (
    bin_counts_sorted,
    categorical_values,
    numeric_values,
    proportions,
)

BASELINE_SCHEMA_VERSION = 1

FeatureKind = Literal["numeric", "categorical"]
Task = Literal["classification", "regression"]
# Plain strings, checked at run time, so callers need not spell out Literal types.
FeatureSpec = tuple[str, str]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class NumericBaseline(_Frozen):
    """Histogram and reference sample of one numeric column.

    ``bin_edges`` holds the interior edges only: bin 0 is (-inf, edges[0]), bin i is
    [edges[i-1], edges[i]) and the last bin is [edges[-1], +inf), so there is one more
    proportion than edges. Proportions and the sample cover non-missing values only.
    """

    kind: Literal["numeric"] = "numeric"
    name: str
    count: int
    missing_rate: float
    bin_edges: list[float]
    bin_proportions: list[float]
    reference_sample: list[float] = Field(description="ascending, drawn without replacement")


class CategoricalBaseline(_Frozen):
    """Category shares of one categorical column, categories keyed by ``str(value)``.

    Only the ``max_categories`` most frequent categories are kept; ``other_proportion``
    is the share of the rest. Shares cover non-missing values only.
    """

    kind: Literal["categorical"] = "categorical"
    name: str
    count: int
    missing_rate: float
    category_proportions: dict[str, float]
    other_proportion: float = 0.0


ColumnBaseline = Annotated[NumericBaseline | CategoricalBaseline, Field(discriminator="kind")]


class Baseline(_Frozen):
    """Everything the drift evaluation needs to know about the training data."""

    schema_version: int = BASELINE_SCHEMA_VERSION
    task: Task
    features: list[ColumnBaseline]
    prediction: ColumnBaseline = Field(
        description="class shares for classification, a numeric histogram for regression"
    )

    def feature(self, name: str) -> NumericBaseline | CategoricalBaseline:
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(name)


def build_baseline(
    feature_specs: Sequence[FeatureSpec],
    matrix: npt.ArrayLike,
    predictions: npt.ArrayLike,
    *,
    task: Task,
    n_bins: int = 10,
    max_reference_sample: int = 5_000,
    max_categories: int = 100,
    seed: int = 0,
) -> Baseline:
    """Summarise a feature matrix (rows x features, in spec order) and holdout predictions.

    Missing values are NaN (or None in object columns). The reference samples are drawn
    with a generator seeded by ``seed`` so the same data always gives the same baseline.
    """
    data = np.asarray(matrix)
    if data.ndim != 2 or data.shape[1] != len(feature_specs):
        raise ValueError(f"matrix must be 2-D with {len(feature_specs)} columns")
    if n_bins < 1 or max_reference_sample < 1 or max_categories < 1:
        raise ValueError("n_bins, max_reference_sample and max_categories must be positive")
    unknown = {kind for _, kind in feature_specs} - {"numeric", "categorical"}
    if unknown:
        raise ValueError(f"unknown feature kinds: {sorted(unknown)}")
    rng = np.random.default_rng(seed)
    features = [
        numeric_baseline(name, data[:, index], n_bins, max_reference_sample, rng)
        if kind == "numeric"
        else categorical_baseline(name, data[:, index], max_categories)
        for index, (name, kind) in enumerate(feature_specs)
    ]
    labels = np.asarray(predictions).ravel()
    prediction = (
        categorical_baseline("prediction", labels, max_categories)
        if task == "classification"
        else numeric_baseline("prediction", labels, n_bins, max_reference_sample, rng)
    )
    return Baseline(task=task, features=features, prediction=prediction)


def numeric_baseline(
    name: str,
    column: npt.NDArray[np.generic],
    n_bins: int,
    max_reference_sample: int,
    rng: np.random.Generator,
) -> NumericBaseline:
    values, missing = numeric_values(column)
    values.sort()
    edges = quantile_edges(values, n_bins)
    counts = bin_counts_sorted(values, edges)
    if values.size > max_reference_sample:
        sample = np.sort(rng.choice(values, size=max_reference_sample, replace=False))
    else:
        sample = values
    return NumericBaseline(
        name=name,
        count=int(column.size),
        missing_rate=_rate(missing, column.size),
        bin_edges=edges.tolist(),
        bin_proportions=proportions(counts).tolist(),
        reference_sample=sample.tolist(),
    )


def quantile_edges(sorted_values: npt.NDArray[np.float64], n_bins: int) -> npt.NDArray[np.float64]:
    """Distinct interior quantile edges, with point masses isolated in bins of their own.

    With bins closed on the left, an edge at v separates "< v" from ">= v". A value that
    fills a whole quantile step (a constant column, the zeros of a zero-inflated feature)
    also gets an edge one float above it, so shifts to either side of it remain visible.
    """
    if sorted_values.size == 0:
        return np.zeros(0)
    if sorted_values[0] == sorted_values[-1]:
        point_masses = sorted_values[:1]
        edges = point_masses
    else:
        levels = np.linspace(0.0, 1.0, n_bins + 1)[1:-1]
        edges, repeats = np.unique(np.quantile(sorted_values, levels), return_counts=True)
        point_masses = edges[repeats > 1]
    return np.unique(np.concatenate((edges, np.nextafter(point_masses, np.inf))))


def categorical_baseline(
    name: str, column: npt.NDArray[np.generic], max_categories: int
) -> CategoricalBaseline:
    values, missing = categorical_values(column)
    categories, counts = np.unique(values, return_counts=True)
    # Most frequent first, ties broken by category so the baseline is deterministic.
    order = np.lexsort((categories, -counts))[:max_categories]
    total = max(values.size, 1)
    kept = {str(categories[i]): float(counts[i] / total) for i in order}
    other = float(counts.sum() - counts[order].sum()) / total
    return CategoricalBaseline(
        name=name,
        count=int(column.size),
        missing_rate=_rate(missing, column.size),
        category_proportions=kept,
        other_proportion=other,
    )


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0
