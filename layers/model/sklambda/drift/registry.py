"""Every drift statistic, declared once: its name, the kinds of column it applies to, how it is
computed and which threshold judges it.

The evaluation, the JSON report, the EMF metrics and the HTML report all iterate
``STATISTICS``; adding a statistic (Wasserstein, say) means adding one entry here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from sklambda.drift.baseline import FeatureKind
from sklambda.drift.statistics import (
    PSI_EPSILON,
    chi_square_goodness_of_fit,
    jensen_shannon_distance,
    ks_two_sample,
    population_stability_index,
)

# Expected count given to the pooled "other" bucket when the baseline saw no such values:
# half an observation, so a single stray category barely moves chi-square while a steady
# stream of new categories still stands out.
OTHER_EXPECTED_COUNT_FLOOR = 0.5

ThresholdName = Literal["psi", "p_value"]


@dataclass(frozen=True)
class Comparison:
    """What a statistic may look at: one column's bins, and for numeric columns the values.

    The last categorical bin is the pooled "other" bucket. ``reference_sample`` and
    ``current_values`` are ascending and set for numeric columns only.
    """

    kind: FeatureKind
    baseline_shares: npt.NDArray[np.float64]
    current_counts: npt.NDArray[np.int64]
    current_shares: npt.NDArray[np.float64]
    reference_sample: npt.NDArray[np.float64] | None = None
    current_values: npt.NDArray[np.float64] | None = None


class Measurement(NamedTuple):
    value: float
    p_value: float | None = None


@dataclass(frozen=True)
class Thresholds:
    """The configured limits: a PSI at or above ``psi``, or a p-value below ``p_value``."""

    psi: float
    p_value: float

    def limit(self, name: ThresholdName) -> float:
        return self.psi if name == "psi" else self.p_value


@dataclass(frozen=True)
class DriftStatistic:
    name: str
    title: str
    kinds: frozenset[FeatureKind]
    compute: Callable[[Comparison], Measurement | None]
    # EMF metric names are "Feature" or "Prediction" followed by these.
    metric: str
    p_value_metric: str | None = None
    # Which configured threshold judges it; None reports the value without judging.
    threshold: ThresholdName | None = None
    on_predictions: bool = False
    note: str = ""

    def applies_to(self, kind: FeatureKind) -> bool:
        return kind in self.kinds

    def triggered(self, measured: Measurement, thresholds: Thresholds) -> bool | None:
        if self.threshold is None:
            return None
        limit = thresholds.limit(self.threshold)
        if self.threshold == "psi":
            return measured.value >= limit
        return measured.p_value is not None and measured.p_value < limit

    def rule(self, thresholds: Thresholds) -> str:
        """The threshold in words, e.g. "≥ 0.2" or "p < 0.001"; empty when not judged."""
        if self.threshold is None:
            return ""
        limit = thresholds.limit(self.threshold)
        return f"≥ {limit:g}" if self.threshold == "psi" else f"p < {limit:g}"


def _psi(comparison: Comparison) -> Measurement:
    return Measurement(
        population_stability_index(comparison.baseline_shares, comparison.current_shares)
    )


def _jensen_shannon(comparison: Comparison) -> Measurement:
    return Measurement(
        jensen_shannon_distance(comparison.baseline_shares, comparison.current_shares)
    )


def _kolmogorov_smirnov(comparison: Comparison) -> Measurement | None:
    if comparison.reference_sample is None or comparison.current_values is None:
        return None
    result = ks_two_sample(
        comparison.reference_sample, comparison.current_values, assume_sorted=True
    )
    return Measurement(result.statistic, result.p_value)


def _chi_square(comparison: Comparison) -> Measurement | None:
    observed = comparison.current_counts
    shares = comparison.baseline_shares.copy()
    if observed[-1] == 0 and shares[-1] == 0:
        # Nothing new and nothing pooled: the "other" bucket would only add a degree of freedom.
        observed, shares = observed[:-1], shares[:-1]
    else:
        shares[-1] = max(shares[-1], OTHER_EXPECTED_COUNT_FLOOR / observed.sum())
    if observed.size < 2:
        return None
    result = chi_square_goodness_of_fit(observed, shares)
    return Measurement(result.statistic, result.p_value)


BOTH_KINDS: frozenset[FeatureKind] = frozenset({"numeric", "categorical"})

STATISTICS: tuple[DriftStatistic, ...] = (
    DriftStatistic(
        name="psi",
        title="PSI",
        kinds=BOTH_KINDS,
        compute=_psi,
        metric="PSI",
        threshold="psi",
        on_predictions=True,
        note=(
            f"Population stability index over the baseline's bins. Shares below {PSI_EPSILON:g} "
            "are raised to it before the logarithm, so a bin empty on one side adds at most "
            "about 0.92 instead of infinity; a PSI far above 1 means whole bins appeared or "
            "emptied."
        ),
    ),
    DriftStatistic(
        name="ks",
        title="KS",
        kinds=frozenset({"numeric"}),
        compute=_kolmogorov_smirnov,
        metric="KSStatistic",
        p_value_metric="KSPValue",
        threshold="p_value",
        note=(
            "Two-sample Kolmogorov-Smirnov: the largest gap between the cumulative shares of "
            "the current values and the baseline's reference sample."
        ),
    ),
    DriftStatistic(
        name="chi2",
        title="χ²",
        kinds=frozenset({"categorical"}),
        compute=_chi_square,
        metric="ChiSquare",
        p_value_metric="ChiSquarePValue",
        threshold="p_value",
        note=(
            "Pearson chi-square of the current category counts against the baseline's shares; "
            "on very large windows it flags shifts too small to matter, so read it with PSI."
        ),
    ),
    DriftStatistic(
        name="js_distance",
        title="JS distance",
        kinds=BOTH_KINDS,
        compute=_jensen_shannon,
        metric="JSDistance",
        on_predictions=True,
        note="Jensen-Shannon distance between the binned shares (natural log; 0 to 0.83).",
    ),
)


def statistic(name: str) -> DriftStatistic:
    for candidate in STATISTICS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)
