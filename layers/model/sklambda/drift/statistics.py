"""Vectorised drift statistics: PSI, two-sample KS, chi-square goodness of fit, Jensen-Shannon.
Importing this module needs numpy only; scipy.stats costs ~0.9 s cold, so it is imported lazily
and solely for the asymptotic KS p-value, whose scipy algorithm (Simard-L'Ecuyer) we must match.
"""

import math
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from sklambda.drift._gamma import chi2_survival
from sklambda.drift._ks_exact import exact_two_sided_p_value

# Floor applied to both proportions before the PSI logarithm. One in ten thousand keeps an
# empty bin's term finite (at most about 0.92 per bin for a fully shifted bin) while staying
# below the resolution of any histogram built from fewer than ten thousand rows.
PSI_EPSILON = 1e-4

# scipy.stats.ks_2samp(method="auto") computes the exact distribution up to this sample size.
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
    p_share = np.asarray(p, dtype=np.float64)
    q_share = np.asarray(q, dtype=np.float64)
    p_share = p_share / p_share.sum()
    q_share = q_share / q_share.sum()
    middle = (p_share + q_share) / 2.0
    divergence = _relative_entropy(p_share, middle) + _relative_entropy(q_share, middle)
    if base is not None:
        divergence /= math.log(base)
    return math.sqrt(max(divergence / 2.0, 0.0))


def _relative_entropy(p: FloatArray, q: FloatArray) -> float:
    # Terms with p == 0 are zero by the convention 0 * log 0 = 0.
    present = p > 0
    return float(np.sum(p[present] * np.log(p[present] / q[present])))


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
    expected = shares / shares.sum() * counts.sum()
    statistic = float(np.sum((counts - expected) ** 2 / expected))
    degrees = counts.size - 1
    return ChiSquareResult(statistic, chi2_survival(statistic, degrees), degrees)


def ks_two_sample(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    *,
    method: KSMethod = "auto",
    assume_sorted: bool = False,
) -> KSResult:
    """Two-sided two-sample Kolmogorov-Smirnov test, matching ``scipy.stats.ks_2samp``.

    Inputs must be free of NaN; pass ``assume_sorted=True`` when both are already in
    ascending order to skip the O(n log n) sorts. The empirical CDFs are compared with a
    binary search of the smaller sample's distinct values in the larger sample. The p-value
    uses the sizes of the two samples given: comparing a large batch with a bounded reference
    sample is only as powerful as that reference is large.
    """
    first = np.asarray(a, dtype=np.float64).ravel()
    second = np.asarray(b, dtype=np.float64).ravel()
    if first.size == 0 or second.size == 0:
        raise ValueError("both samples must be non-empty")
    if not assume_sorted:
        first, second = np.sort(first), np.sort(second)
    statistic = ks_statistic_sorted(first, second)
    return KSResult(*_ks_p_value(statistic, first.size, second.size, method))


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


def _ks_p_value(statistic: float, n1: int, n2: int, method: KSMethod) -> tuple[float, float]:
    if method not in ("auto", "exact", "asymp"):
        raise ValueError(f"unknown KS method: {method}")
    gcd = math.gcd(n1, n2)
    if method == "auto":
        method = "exact" if max(n1, n2) <= EXACT_KS_MAX_SAMPLE_SIZE else "asymp"
    elif method == "exact" and n1 // gcd >= np.iinfo(np.int32).max / (n2 // gcd):
        method = "asymp"
    if method == "exact":
        # The exact distribution lives on multiples of 1 / lcm; snapping to that grid
        # removes floating-point noise from the statistic, as scipy does.
        lcm = n1 // gcd * n2
        steps = round(statistic * lcm)
        return steps / lcm, exact_two_sided_p_value(n1, n2, steps)
    return statistic, _asymptotic_p_value(statistic, n1, n2)


def _asymptotic_p_value(statistic: float, n1: int, n2: int) -> float:
    from scipy.stats import kstwo  # deferred: see the module docstring

    effective_size = float(np.round(n1 * n2 / (n1 + n2)))
    return float(np.clip(kstwo.sf(statistic, effective_size), 0.0, 1.0))
