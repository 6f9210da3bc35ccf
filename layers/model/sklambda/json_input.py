"""JSON from outside: every way a text can fail to be usable data is a JSONDecodeError.

``json.loads`` can also raise RecursionError (deep nesting) and ValueError (an integer of more
than 4,300 digits). Both are facts about the input, so both become decode errors here, and an
integer too long to convert becomes an OversizedNumber the schema names as out of range.
"""

import json
import math
from typing import Any

MAX_DEPTH = 32
_CONTAINERS = (list, dict)


class OversizedNumber(float):
    """A JSON integer with more digits than Python converts: kept as a signed infinity."""

    digits: int

    def __new__(cls, text: str) -> "OversizedNumber":
        number = super().__new__(cls, -math.inf if text.startswith("-") else math.inf)
        number.digits = len(text.lstrip("-"))
        return number


def _integer(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return OversizedNumber(text)


def _too_deep(value: Any, limit: int) -> bool:
    pending = [(value, 1)]
    while pending:
        container, depth = pending.pop()
        if depth > limit:
            return True
        children = container.values() if type(container) is dict else container
        pending.extend((child, depth + 1) for child in children if type(child) in _CONTAINERS)
    return False


def _parse(text: str, max_depth: int, **hooks: Any) -> Any:
    try:
        return json.loads(text, **hooks)
    except RecursionError:
        raise json.JSONDecodeError(f"nested deeper than {max_depth} levels", text, 0) from None


def loads(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse one JSON text; raises json.JSONDecodeError for anything unusable."""
    try:
        value = _parse(text, max_depth)
    except json.JSONDecodeError:
        raise
    except ValueError:
        # Only the digit limit of int() gets here; parse again keeping such integers apart.
        value = _parse(text, max_depth, parse_int=_integer)
    # Counting brackets is C-fast and rules out deep nesting for almost every real body.
    if (
        type(value) in _CONTAINERS
        and text.count("[") + text.count("{") > max_depth
        and _too_deep(value, max_depth)
    ):
        raise json.JSONDecodeError(f"nested deeper than {max_depth} levels", text, 0)
    return value
