"""Column cleaning and binning shared by the baseline builder and the drift evaluation."""

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
StrArray = npt.NDArray[np.str_]

_NONE = np.array(None, dtype=object)


def numeric_values(column: npt.NDArray[np.generic]) -> tuple[FloatArray, int]:
    """Finite values of a column and the number of missing entries.

    None, NaN and +/-inf all count as missing: infinities have no place in quantile
    edges, and JSON cannot carry them in the reference sample.
    """
    if column.dtype == object:
        column = np.where(np.equal(column, _NONE), np.nan, column)
    # Always a fresh contiguous copy: callers sort it in place.
    values = np.array(column, dtype=np.float64, order="C")
    finite = np.isfinite(values)
    kept = values if finite.all() else values[finite]
    return kept, int(values.size - kept.size)


def categorical_values(column: npt.NDArray[np.generic]) -> tuple[StrArray, int]:
    """Non-missing values as strings (categories match by ``str(value)``) and the missing count.

    None and NaN count as missing; ``value != value`` is the NaN test that also works on
    object arrays.
    """
    if column.dtype == object:
        missing = np.equal(column, _NONE) | (column != column)
    elif column.dtype.kind in "fc":
        missing = np.isnan(column)
    else:
        missing = np.zeros(column.shape, dtype=bool)
    present = column[~missing]
    return present.astype(str), int(missing.sum())


def bin_counts_sorted(sorted_values: FloatArray, edges: FloatArray) -> IntArray:
    """Counts per bin for ascending values; bin i holds edges[i-1] <= x < edges[i].

    The first bin extends to -inf and the last to +inf, so every value lands in a bin.
    """
    boundaries = np.searchsorted(sorted_values, edges, side="left")
    return np.diff(np.concatenate(([0], boundaries, [sorted_values.size]))).astype(np.int64)


def proportions(counts: npt.NDArray[np.integer]) -> FloatArray:
    total = counts.sum()
    if total == 0:
        return np.zeros(counts.shape, dtype=np.float64)
    return counts / total


def category_counts(values: StrArray, categories: StrArray) -> tuple[IntArray, int]:
    """Counts of each of the ascending ``categories`` in ``values``, plus the unseen count."""
    if categories.size == 0:
        return np.zeros(0, dtype=np.int64), int(values.size)
    slot = np.searchsorted(categories, values)
    clipped = np.minimum(slot, categories.size - 1)
    known = categories[clipped] == values
    counts = np.bincount(clipped[known], minlength=categories.size).astype(np.int64)
    return counts, int(values.size - known.sum())
