"""JSON from outside: every way a text can fail to be usable data is a JSONDecodeError.

``json.loads`` can also raise RecursionError (deep nesting) and ValueError (an integer of more
than 4,300 digits). Both are facts about the input, so both become decode errors here, and an
integer too long to convert becomes an OversizedNumber the schema names as out of range.

orjson parses most bodies several times faster than ``json.loads``. It differs on a few
texts: it refuses NaN, Infinity, numbers beyond a float and lone surrogates, and it reads an
integer beyond 64 bits as a float. Those texts are parsed by ``json.loads`` exactly as before,
so every text gives the same value or the same error whichever parser read it.
"""

import json
import math
from collections.abc import Iterator
from itertools import chain
from typing import Any

import orjson

MAX_DEPTH = 32
_CONTAINERS = (list, dict)
_IS_CONTAINER = frozenset(_CONTAINERS).__contains__
# A run of 19 digits may be an integer beyond 64 bits, which orjson would turn into a float.
_LONG_DIGIT_RUN = b"9" * 19
_DIGITS_TO_NINE = bytes.maketrans(b"0123456789", b"9999999999")


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
    """True when a container sits deeper than ``limit`` (the value itself is level 1).

    Walked level by level: a level of plain values (the rows' numbers) is ruled out at C speed.
    """
    level = [value]
    for _ in range(limit):
        if not any(map(_IS_CONTAINER, map(type, _children(level)))):
            return False
        level = [child for child in _children(level) if type(child) in _CONTAINERS]
    return True


def _children(level: list[Any]) -> Iterator[Any]:
    return chain.from_iterable(
        container.values() if type(container) is dict else container for container in level
    )


def _parse(text: str, max_depth: int, **hooks: Any) -> Any:
    try:
        return json.loads(text, **hooks)
    except RecursionError:
        raise json.JSONDecodeError(f"nested deeper than {max_depth} levels", text, 0) from None


def _fast(text: str) -> Any:
    """orjson's value when it equals json.loads's for this text, else _ABSENT."""
    try:
        raw = text.encode()
    except UnicodeEncodeError:  # a lone surrogate
        return _ABSENT
    if _LONG_DIGIT_RUN in raw.translate(_DIGITS_TO_NINE):
        return _ABSENT
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _ABSENT


_ABSENT = object()


def loads(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse one JSON text; raises json.JSONDecodeError for anything unusable."""
    value = _fast(text)
    if value is _ABSENT:
        value = _slow(text, max_depth)
    # Counting brackets is C-fast and rules out deep nesting for almost every real body.
    if (
        type(value) in _CONTAINERS
        and text.count("[") + text.count("{") > max_depth
        and _too_deep(value, max_depth)
    ):
        raise json.JSONDecodeError(f"nested deeper than {max_depth} levels", text, 0)
    return value


def _slow(text: str, max_depth: int) -> Any:
    try:
        return _parse(text, max_depth)
    except json.JSONDecodeError:
        raise
    except ValueError:
        # Only the digit limit of int() gets here; parse again keeping such integers apart.
        return _parse(text, max_depth, parse_int=_integer)
