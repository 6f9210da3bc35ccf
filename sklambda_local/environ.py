"""Process environment changes that are undone on exit."""

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager


@contextmanager
def environment_changed(updates: Mapping[str, str], removed: Iterable[str] = ()) -> Iterator[None]:
    """Set ``updates`` and unset ``removed`` for the block; every variable is restored after."""
    removed = list(removed)
    saved = {key: os.environ.get(key) for key in [*updates, *removed]}
    for key in removed:
        os.environ.pop(key, None)
    os.environ.update(updates)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
