"""Workarounds for converter bugs, each small, scoped to one conversion and tested to fail once
upstream fixes the bug (tests/unit/test_onnx_export.py), so it can be removed then."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def missing_value_flags_as_int() -> Iterator[None]:
    """skl2onnx 1.20 gives HistGradientBoosting leaves a Python ``False`` in the integer
    attribute ``nodes_missing_value_tracks_true`` beside the ints of the branches; onnx 1.23
    then refuses the mixed list with a ValueError. Casting each flag to int is what it meant."""
    from skl2onnx.common import tree_ensemble

    original: Callable[..., Any] = tree_ensemble.add_node

    def add_node(*args: Any, nodes_missing_value_tracks_true: Any = 0, **kwargs: Any) -> Any:
        flag = int(nodes_missing_value_tracks_true)
        return original(*args, nodes_missing_value_tracks_true=flag, **kwargs)

    tree_ensemble.add_node = add_node
    try:
        yield
    finally:
        tree_ensemble.add_node = original
