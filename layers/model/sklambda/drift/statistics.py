"""Drift statistics: PSI, two-sample KS, chi-square goodness of fit, Jensen-Shannon.

p-values and Jensen-Shannon come from scipy. Only two pieces are our own: PSI (scipy has
none) and the KS statistic of two already-sorted samples, which lets a million-row batch skip
the sorts and the merged search scipy's ``ks_2samp`` performs; its p-value is still scipy's.
"""

from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import stats
from scipy.spatial import distance

# Floor applied to both proportions before the PSI logarithm. One in ten thousand keeps an
# empty bin's term finite (at most about 0.92 per bin for a fully shifted bin) while staying
# below the resolution of any histogram built from fewer than ten thousand rows.
PSI_EPSILON = 1e-4

# scipy.stats.ks_2samp(method="auto") computes the exact distribution up to this sample size;
# below it the samples are small enough to hand to scipy whole.
EXACT_KS_MAX_SAMPLE_SIZE = 10_000

KSMethod = Literal["auto", "exact", "asymp"]
FloatArray = npt.NDArray[np.float64]


class KSResult(NamedTuple):
    statistic: float
    p_value: float


class ChiSquareResult(NamedTuple):
    statistic: float
    p_value: float
    degrees_of_freedom: int


def population_stability_index(
    expected: npt.ArrayLike, actual: npt.ArrayLike, *, epsilon: float = PSI_EPSILON
) -> float:
    """PSI = sum((actual - expected) * ln(actual / expected)) over matching bins.

    Both inputs are proportions (each summing to one) over the same bins. Proportions
    below ``epsilon`` are raised to it so empty bins contribute a finite amount.
    """
    expected_share = np.maximum(np.asarray(expected, dtype=np.float64), epsilon)
    actual_share = np.maximum(np.asarray(actual, dtype=np.float64), epsilon)
    if expected_share.shape != actual_share.shape:
        raise ValueError("expected and actual must have the same bins")
    terms = (actual_share - expected_share) * np.log(actual_share / expected_share)
    return float(terms.sum())


def jensen_shannon_distance(
    p: npt.ArrayLike, q: npt.ArrayLike, *, base: float | None = None
) -> float:
    """Jensen-Shannon distance (square root of the divergence), natural log unless ``base``."""
    return float(distance.jensenshannon(p, q, base=base))


def chi_square_goodness_of_fit(
    observed: npt.ArrayLike, expected_proportions: npt.ArrayLike
) -> ChiSquareResult:
    """Pearson chi-square of observed counts against proportions scaled to the observed total."""
    counts = np.asarray(observed, dtype=np.float64)
    shares = np.asarray(expected_proportions, dtype=np.float64)
    if counts.shape != shares.shape or counts.ndim != 1:
        raise ValueError("observed and expected_proportions must be 1-D and of equal length")
    if counts.size < 2:
        raise ValueError("chi-square needs at least two categories")
    if np.any(shares <= 0):
        raise ValueError("expected proportions must be positive")
    result = stats.chisquare(counts, shares / shares.sum() * counts.sum())
    return ChiSquareResult(float(result.statistic), float(result.pvalue), counts.size - 1)


def ks_two_sample(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    *,
    method: KSMethod = "auto",
    assume_sorted: bool = False,
) -> KSResult:
    """Two-sided two-sample Kolmogorov-Smirnov test, as ``scipy.stats.ks_2samp`` computes it.

    Inputs must be free of NaN; pass ``assume_sorted=True`` when both are already in
    ascending order. Small samples go to scipy whole. Above the exact path's size the
    statistic comes from a binary search of the smaller sample's distinct values in the
    larger sample, and the p-value from scipy's ``kstwo`` distribution, as in scipy's
    asymptotic path. The p-value uses the sizes of the two samples given: comparing a large
    batch with a bounded reference sample is only as powerful as that reference is large.
    """
    first = np.asarray(a, dtype=np.float64).ravel()
    second = np.asarray(b, dtype=np.float64).ravel()
    if first.size == 0 or second.size == 0:
        raise ValueError("both samples must be non-empty")
    if method not in ("auto", "exact", "asymp"):
        raise ValueError(f"unknown KS method: {method}")
    if method == "exact" or (
        method == "auto" and max(first.size, second.size) <= EXACT_KS_MAX_SAMPLE_SIZE
    ):
        result = stats.ks_2samp(first, second, method=method)
        return KSResult(float(result.statistic), float(result.pvalue))
    if not assume_sorted:
        first, second = np.sort(first), np.sort(second)
    statistic = ks_statistic_sorted(first, second)
    effective_size = float(np.round(first.size * second.size / (first.size + second.size)))
    p_value = float(np.clip(stats.kstwo.sf(statistic, effective_size), 0.0, 1.0))
    return KSResult(statistic, p_value)


def ks_statistic_sorted(a: FloatArray, b: FloatArray) -> float:
    """Largest distance between the empirical CDFs of two ascending, non-empty arrays."""
    small, large = (a, b) if a.size <= b.size else (b, a)
    support, support_counts = np.unique(small, return_counts=True)
    small_cdf = np.cumsum(support_counts) / small.size
    # Between consecutive support points the small sample's CDF is flat, so the gap is
    # extremal at a support point (large CDF counted with <=) or just below the next one
    # (counted with <). Past the last support point both CDFs end at 1.
    large_at = np.searchsorted(large, support, side="right") / large.size
    large_below = np.searchsorted(large, support, side="left") / large.size
    small_before = np.concatenate(([0.0], small_cdf[:-1]))
    small_ahead = float(np.max(small_cdf - large_at))
    large_ahead = float(-np.min(small_before - large_below))
    return max(small_ahead, large_ahead, 0.0)
