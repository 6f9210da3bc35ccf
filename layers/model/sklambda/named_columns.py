"""Serve pipelines that select columns by name, without a DataFrame library in the layer.

A ColumnTransformer fitted on a DataFrame keeps the names it selected and, for each of its
transformers, the positions those names had (`_transformer_to_input_indices`). Serving builds
rows in the schema's order, which publishing checks is the order of `feature_names_in_`, so
each name-based selection can be replaced by the positions it resolved to at fit time. The
model then takes a plain (object) ndarray and computes exactly what it computed on the frame.
The fitted names are dropped too: scikit-learn would otherwise warn on every call that the
array has none. docs/byom.md has the measurements behind this choice.
"""

from collections.abc import Iterator
from typing import Any

import numpy as np

_CHILDREN = (
    "estimator",
    "base_estimator",
    "regressor",
    "classifier",
    "regressor_",
    "estimator_",
    "final_estimator",
    "final_estimator_",
)


def _members(value: Any) -> list[Any]:
    """Estimators held in an attribute: one object, or any nesting of lists, tuples and object
    arrays (GradientBoosting keeps its trees in a 2-D ndarray, whose truth value raises)."""
    if value is None:
        return []
    if isinstance(value, np.ndarray):
        return list(value.ravel()) if value.dtype == object else []
    if isinstance(value, list | tuple):
        return [member for item in value for member in _members(item)]
    return [value]


def _nested(estimator: Any) -> Iterator[Any]:
    """The estimator and every fitted estimator inside it (pipelines, column transformers,
    unions, meta-estimators)."""
    stack, seen = [estimator], set()
    while stack:
        node = stack.pop()
        if id(node) in seen or not hasattr(node, "get_params"):
            continue
        seen.add(id(node))
        yield node
        for attribute in ("steps", "transformer_list", "transformers", "transformers_"):
            specs = getattr(node, attribute, None)
            if isinstance(specs, list | tuple):
                stack.extend(item[1] for item in specs if isinstance(item, tuple | list))
        for attribute in (*_CHILDREN, "estimators", "estimators_"):
            stack.extend(_members(getattr(node, attribute, None)))


def _selects_by_name(columns: Any) -> bool:
    if isinstance(columns, str):
        return True
    if isinstance(columns, list | tuple | np.ndarray):
        return any(isinstance(item, str) for item in columns)
    return False


def _is_column_transformer(node: Any) -> bool:
    return hasattr(node, "transformers_") and hasattr(node, "_transformer_to_input_indices")


def names_selected(estimator: Any) -> list[str]:
    """Columns the estimator's ColumnTransformers select by name."""
    return [
        str(item)
        for node in _nested(estimator)
        if _is_column_transformer(node)
        for _, _, columns in node.transformers_
        if _selects_by_name(columns)
        for item in ([columns] if isinstance(columns, str) else columns)
    ]


def select_by_position(estimator: Any) -> int:
    """Rewrite, in place, every fitted name-based column selection to the positions it resolved
    to, and forget fitted feature names; returns how many selections changed. Callables and
    slices are left as they are."""
    changed = 0
    for node in list(_nested(estimator)):
        if _is_column_transformer(node):
            positions = node._transformer_to_input_indices
            rewritten = []
            for name, inner, columns in node.transformers_:
                if _selects_by_name(columns) and name in positions:
                    indices = [int(index) for index in positions[name]]
                    columns = indices[0] if isinstance(columns, str) else indices
                    changed += 1
                rewritten.append((name, inner, columns))
            node.transformers_ = rewritten
        if "feature_names_in_" in vars(node):
            del node.feature_names_in_
    return changed


def refit_by_position(unfitted: Any, names: list[str]) -> Any:
    """Make an unfitted clone that selects columns by name select them by position in `names`
    (the schema's order), so it can be refitted on the arrays retraining builds."""
    index = {name: position for position, name in enumerate(names)}
    for node in list(_nested(unfitted)):
        specs = getattr(node, "transformers", None)
        if not hasattr(node, "remainder") or not isinstance(specs, list):
            continue
        rewritten = []
        for name, inner, columns in specs:
            if isinstance(columns, str):
                columns = index[columns]
            elif _selects_by_name(columns):
                columns = [index[str(column)] for column in columns]
            rewritten.append((name, inner, columns))
        node.set_params(transformers=rewritten)
    return unfitted
