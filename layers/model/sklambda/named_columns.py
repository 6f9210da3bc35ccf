"""Serve pipelines that select columns by name, without a DataFrame library in the layer.

A ColumnTransformer fitted on a DataFrame keeps the names it selected and, for each of its
transformers, the positions those names had (`_transformer_to_input_indices`). Serving builds
rows in the schema's order, which publishing checks is the order of `feature_names_in_`, so
each name-based selection can be replaced by the positions it resolved to at fit time. The
model then takes a plain (object) ndarray and computes exactly what it computed on the frame.
"""

import warnings
from typing import Any

import numpy as np


def _column_transformers(estimator: Any) -> list[Any]:
    from sklearn.compose import ColumnTransformer

    found: list[Any] = []
    stack = [estimator]
    while stack:
        node = stack.pop()
        if isinstance(node, ColumnTransformer):
            found.append(node)
            stack.extend(transformer for _, transformer, _ in getattr(node, "transformers_", []))
            continue
        for attribute in ("steps", "transformer_list"):
            for item in getattr(node, attribute, None) or []:
                stack.append(item[1])
        for attribute in ("estimator", "base_estimator", "regressor", "classifier"):
            child = getattr(node, attribute, None)
            if child is not None and hasattr(child, "get_params"):
                stack.append(child)
    return found


def _selects_by_name(columns: Any) -> bool:
    if isinstance(columns, str):
        return True
    if isinstance(columns, list | tuple | np.ndarray):
        return any(isinstance(item, str) for item in columns)
    return False


def names_selected(estimator: Any) -> list[str]:
    """The feature names the estimator's ColumnTransformers select by name."""
    return [
        str(name)
        for transformer in _column_transformers(estimator)
        if hasattr(transformer, "feature_names_in_")
        for name in transformer.feature_names_in_
    ]


def select_by_position(estimator: Any) -> int:
    """Rewrite, in place, every fitted name-based column selection to the positions it resolved
    to; returns how many selections changed. Callables and slices are left as they are."""
    changed = 0
    for transformer in _column_transformers(estimator):
        if not hasattr(transformer, "_transformer_to_input_indices"):
            continue
        positions = transformer._transformer_to_input_indices
        rewritten = []
        for name, inner, columns in transformer.transformers_:
            if _selects_by_name(columns) and name in positions:
                indices = [int(index) for index in positions[name]]
                columns = indices[0] if isinstance(columns, str) else indices
                changed += 1
            rewritten.append((name, inner, columns))
        transformer.transformers_ = rewritten
    return changed


class FeatureNamesIgnored(warnings.catch_warnings):
    """Fitted on a frame, served an array: scikit-learn warns that names are absent, which is
    expected here because the columns' order was checked at publish."""

    def __enter__(self) -> Any:
        result = super().__enter__()
        warnings.filterwarnings("ignore", message="X does not have valid feature names")
        return result
