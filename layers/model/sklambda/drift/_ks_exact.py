"""Exact null distribution of the two-sided two-sample Kolmogorov-Smirnov statistic."""

import math

import numpy as np

# Band counts grow like binomial coefficients and would overflow float64 beyond a few
# hundred rows, so rows are rescaled once they pass this and the scale kept as a logarithm.
# One row multiplies counts by at most the band width, which keeps them far below 1e308.
_RESCALE_ABOVE = 1e250


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
    log_factorial = [math.lgamma(k + 1.0) for k in range(rows + cols + 1)]
    log_total_paths = log_factorial[rows + cols] - log_factorial[rows] - log_factorial[cols]

    def first_exit_share(i: int, j: int, count: float, log_scale: float) -> float:
        rest_rows, rest_cols = rows - i, cols - j
        log_paths_to_end = (
            log_factorial[rest_rows + rest_cols]
            - log_factorial[rest_rows]
            - log_factorial[rest_cols]
        )
        return math.exp(math.log(count) + log_scale + log_paths_to_end - log_total_paths)

    def band(i: int) -> tuple[int, int]:
        centre = i * row_step
        low = max((centre - h) // col_step + 1, 0)
        high = min(-((-(centre + h)) // col_step) - 1, cols)
        return low, high

    escaped = 0.0
    low, high = band(0)
    # counts[k] is the number of in-band paths to (i, low + k), divided by exp(log_scale).
    counts = np.ones(high - low + 1)
    log_scale = 0.0
    for i in range(rows + 1):
        if i > 0:
            previous_low, previous_high = low, high
            low, high = band(i)
            # Paths below the new lower edge leave the band by stepping to row i. Each
            # column leaves once, so this scalar loop runs at most cols times overall.
            for j in range(previous_low, min(low, previous_high + 1)):
                count = float(counts[j - previous_low])
                if count > 0.0:
                    escaped += first_exit_share(i, j, count, log_scale)
            widened = np.zeros(high - low + 1)
            kept = counts[low - previous_low :]
            widened[: kept.size] = kept
            counts = widened.cumsum(out=widened)
            # A cumulative sum of non-negative counts peaks at its last entry.
            peak = float(counts[-1])
            if peak == 0.0:
                break
            if peak > _RESCALE_ABOVE:
                counts /= peak
                log_scale += math.log(peak)
        # The path at the top of this row's band leaves it with its next column step.
        top = float(counts[-1])
        if high < cols and top > 0.0:
            escaped += first_exit_share(i, high + 1, top, log_scale)
    return min(escaped, 1.0)
