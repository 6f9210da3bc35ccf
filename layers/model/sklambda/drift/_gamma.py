"""Chi-square survival function through the regularised upper incomplete gamma function."""

import math

_RELATIVE_TOLERANCE = 1e-16
_MAX_TERMS = 100_000
_TINY = 1e-300


def chi2_survival(statistic: float, degrees_of_freedom: int) -> float:
    """P(X >= statistic) for X ~ chi-square(degrees_of_freedom)."""
    if degrees_of_freedom <= 0:
        raise ValueError("degrees_of_freedom must be positive")
    if math.isnan(statistic):
        return math.nan
    return _upper_regularised_gamma(degrees_of_freedom / 2.0, statistic / 2.0)


def _upper_regularised_gamma(a: float, x: float) -> float:
    if x <= 0.0:
        return 1.0
    if math.isinf(x):
        return 0.0
    log_prefactor = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1.0:
        # The power series converges fast here and Q = 1 - P stays well conditioned.
        return max(0.0, 1.0 - math.exp(log_prefactor) * _lower_series(a, x))
    return math.exp(log_prefactor) * _upper_continued_fraction(a, x)


def _lower_series(a: float, x: float) -> float:
    term = 1.0 / a
    total = term
    for n in range(1, _MAX_TERMS):
        term *= x / (a + n)
        total += term
        if abs(term) < abs(total) * _RELATIVE_TOLERANCE:
            return total
    raise ArithmeticError("incomplete gamma series did not converge")


def _upper_continued_fraction(a: float, x: float) -> float:
    # Modified Lentz evaluation of Legendre's continued fraction for Gamma(a, x).
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    fraction = d
    for n in range(1, _MAX_TERMS):
        coefficient = -n * (n - a)
        b += 2.0
        d = coefficient * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + coefficient / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        step = d * c
        fraction *= step
        if abs(step - 1.0) < _RELATIVE_TOLERANCE:
            return fraction
    raise ArithmeticError("incomplete gamma continued fraction did not converge")
