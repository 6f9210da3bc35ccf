"""json_input.loads parses with orjson where it agrees with json.loads, and with json.loads
where it does not: every text gives the same value, of the same types, or the same refusal."""

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sklambda import json_input
from sklambda.json_input import MAX_DEPTH, OversizedNumber


def _same(first: Any, second: Any) -> bool:
    if type(first) is not type(second):
        return False
    if isinstance(first, dict):
        return list(first) == list(second) and all(_same(first[key], second[key]) for key in first)
    if isinstance(first, list):
        return len(first) == len(second) and all(map(_same, first, second))
    if isinstance(first, float) and math.isnan(first):
        return math.isnan(second)
    return bool(first == second) and repr(first) == repr(second)


def _outcome(text: str) -> tuple[str, Any]:
    try:
        return "value", json_input.loads(text)
    except json.JSONDecodeError:
        return "refused", None


def _reference(text: str) -> tuple[str, Any]:
    try:
        return "value", json.loads(text)
    except (ValueError, RecursionError):
        return "refused", None


# Texts on which orjson alone would answer differently from json.loads.
@pytest.mark.parametrize(
    "text",
    [
        "123456789012345678901234567890",  # orjson: a float
        "-9223372036854775809",
        "[18446744073709551616]",
        "NaN",  # orjson: refused
        '{"x": Infinity}',
        "[-Infinity]",
        "1e400",
        '"\\ud800"',  # a lone surrogate, escaped
        "\ud800",
        "[1e-400]",
    ],
)
def test_texts_orjson_reads_otherwise_parse_as_json_loads_does(text):
    expected, got = _reference(text), _outcome(text)
    assert expected[0] == got[0]
    assert _same(expected[1], got[1])


def test_a_huge_integer_stays_an_integer():
    value = json_input.loads('{"x": 123456789012345678901234567890}')
    assert type(value["x"]) is int


def test_an_integer_beyond_the_conversion_limit_becomes_an_oversized_number():
    value = json_input.loads("[" + "9" * 5000 + "]")
    assert isinstance(value[0], OversizedNumber)
    assert value[0].digits == 5000


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 2000])
def test_nesting_is_limited_whichever_parser_read_the_text(depth):
    text = "[" * depth + "]" * depth
    if depth <= MAX_DEPTH:
        assert _outcome(text)[0] == "value"
    else:
        assert _outcome(text)[0] == "refused"


def test_many_shallow_rows_are_not_too_deep():
    rows = [{"a": [1, 2], "b": {"c": 1.5}} for _ in range(200)]
    assert json_input.loads(json.dumps({"instances": rows})) == {"instances": rows}


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=30,
)


@given(json_values)
def test_any_json_value_parses_as_json_loads_parses_it(value):
    text = json.dumps(value)
    expected, got = _reference(text), _outcome(text)
    assert expected[0] == got[0]
    assert _same(expected[1], got[1])


@given(st.text(alphabet='[]{}",:0123456789.eE+-naNIfinity \\u', max_size=40))
def test_any_text_is_refused_or_parsed_as_json_loads_parses_it(text):
    expected, got = _reference(text), _outcome(text)
    assert expected[0] == got[0]
    assert _same(expected[1], got[1])
