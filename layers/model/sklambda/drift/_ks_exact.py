"""Exact null distribution of the two-sided two-sample Kolmogorov-Smirnov statistic."""

import math

import numpy as np


def exact_two_sided_p_value(n1: int, n2: int, h: int) -> float:
    """P(D >= h / lcm(n1, n2)) when both samples come from one continuous distribution.

    Under the null hypothesis every interleaving of the two sorted samples is equally
    likely, so the probability is the share of monotone lattice paths from (0, 0) to
    (rows, cols) that touch the band edge |i * cols - j * rows| >= h * gcd. Each path
    is counted at the first point where it leaves the band, which sums positive terms
    only, so small p-values keep their relative precision instead of coming out of
    ``1 - P(stay inside)``.
    """
    if h <= 0:
        return 1.0
    rows, cols = sorted((n1, n2))
    gcd = math.gcd(rows, cols)
    row_step, col_step = cols // gcd, rows // gcd
    # Band counts grow like binomial coefficients and overflow float64 beyond a few
    # hundred rows, so each row is rescaled and the scale is carried as a logarithm.
    log_factorial = np.array([math.lgamma(k + 1.0) for k in range(rows + cols + 1)])
    log_total_paths = log_factorial[rows + cols] - log_factorial[rows] - log_factorial[cols]

    def log_paths_to_end(i: int, j: np.ndarray) -> np.ndarray:
        rest_rows, rest_cols = rows - i, cols - j
        return (
            log_factorial[rest_rows + rest_cols]
            - log_factorial[rest_rows]
            - log_factorial[rest_cols]
            - log_total_paths
        )

    def band(i: int) -> tuple[int, int]:
        centre = i * row_step
        low = max((centre - h) // col_step + 1, 0)
        high = min(-((-(centre + h)) // col_step) - 1, cols)
        return low, high

    escaped = 0.0
    low, high = band(0)
    counts = np.ones(high - low + 1)
    log_scale = 0.0
    for i in range(rows + 1):
        if i > 0:
            previous_low, previous_high = low, high
            low, high = band(i)
            # Paths below the new lower edge leave the band by stepping to row i.
            leaving = counts[: max(min(low, previous_high + 1) - previous_low, 0)]
            if leaving.size:
                columns = np.arange(previous_low, previous_low + leaving.size)
                with np.errstate(divide="ignore"):
                    log_mass = np.log(leaving) + log_scale + log_paths_to_end(i, columns)
                escaped += float(np.exp(log_mass).sum())
            widened = np.zeros(high - low + 1)
            kept = counts[low - previous_low : previous_high - previous_low + 1]
            widened[: kept.size] = kept
            counts = np.cumsum(widened)
            peak = counts.max()
            if peak == 0.0:
                break
            counts /= peak
            log_scale += math.log(peak)
        # The path at the top of this row's band leaves it with its next column step.
        if high < cols and counts[-1] > 0.0:
            log_mass = math.log(counts[-1]) + log_scale + log_paths_to_end(i, np.array(high + 1))
            escaped += float(np.exp(log_mass))
    return min(escaped, 1.0)
