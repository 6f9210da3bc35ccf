"""A notebook's X and y (DataFrame, or array plus feature names) as sklambda training data.

pandas is never imported: a DataFrame is read through `columns` and per-column `to_numpy`.
"""

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from sklambda.errors import TrainingDataError
from sklambda.training.data import TrainingData, as_column, parse_target


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    # pandas.NA and NaT compare unlike anything; their repr names them.
    return type(value).__name__ in {"NAType", "NaTType"}


def _column(values: np.ndarray) -> tuple[np.ndarray, bool]:
    """(column, is_boolean) typed as training data: float64 with NaN, or object with None."""
    if values.dtype.kind == "b":
        return values.astype(np.float64), True
    if values.dtype.kind in "iuf":
        return values.astype(np.float64), False
    items = values.tolist()
    present = [item for item in items if not _is_missing(item)]
    if present and all(isinstance(item, bool | np.bool_) for item in present):
        return np.array(
            [math.nan if _is_missing(item) else float(item) for item in items], np.float64
        ), True
    if present and all(
        isinstance(item, int | float | np.number) and not isinstance(item, bool) for item in present
    ):
        return np.array(
            [math.nan if _is_missing(item) else float(item) for item in items], np.float64
        ), False
    if all(isinstance(item, str) for item in present):
        return as_column(["" if _is_missing(item) else item for item in items])
    column = np.empty(len(items), dtype=object)
    column[:] = [None if _is_missing(item) else str(item) for item in items]
    return column, False


def _feature_columns(
    features: Any, feature_names: Sequence[str] | None
) -> tuple[list[str], list[np.ndarray]]:
    if hasattr(features, "columns") and hasattr(features, "iloc"):
        names = [str(name) for name in features.columns]
        return names, [features[name].to_numpy() for name in features.columns]
    matrix = np.asarray(features)
    if matrix.ndim != 2:
        raise TrainingDataError(f"X must be 2-D (rows x features), got shape {matrix.shape}")
    if feature_names is None:
        raise TrainingDataError("X is an array: pass feature_names=[...] in column order")
    names = [str(name) for name in feature_names]
    if len(names) != matrix.shape[1]:
        raise TrainingDataError(
            f"{len(names)} feature names for an X with {matrix.shape[1]} columns"
        )
    return names, [matrix[:, index] for index in range(matrix.shape[1])]


def to_training_data(
    features: Any,
    target: Any,
    *,
    feature_names: Sequence[str] | None = None,
    target_name: str = "target",
    source: str = "notebook",
) -> TrainingData:
    names, raw = _feature_columns(features, feature_names)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise TrainingDataError(f"duplicate feature names {repeated}")
    labels = np.asarray(target.to_numpy() if hasattr(target, "to_numpy") else target)
    if labels.ndim != 1:
        raise TrainingDataError(
            f"y must be 1-D, got shape {labels.shape}: sklambda serves one target per model, "
            "so publish one model per target column"
        )
    if len(labels) != (len(raw[0]) if raw else 0):
        raise TrainingDataError(f"X has {len(raw[0]) if raw else 0} rows, y has {len(labels)}")
    if any(_is_missing(value) for value in labels.tolist()):
        raise TrainingDataError(f"y has missing values; {target_name!r} must be set on every row")
    columns: list[np.ndarray] = []
    booleans: set[str] = set()
    for name, values in zip(names, raw, strict=True):
        column, is_boolean = _column(values)
        columns.append(column)
        if is_boolean:
            booleans.add(name)
    # Labels keep the type they have; publishing matches them to the estimator's classes.
    parsed = labels if labels.dtype.kind in "biuf" else parse_target(labels.tolist())
    return TrainingData(names, columns, parsed, target_name, source, frozenset(booleans))
