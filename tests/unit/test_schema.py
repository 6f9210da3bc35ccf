import math

import numpy as np
import pytest

from sklambda.schema import FeatureKind, SchemaValidationError, infer_schema, validate_instances


@pytest.fixture
def mixed_schema():
    columns = [
        np.array([1.0, 2.5, np.nan]),
        np.array([10.0, 20.0, 30.0]),
        np.array(["red", "blue", None], dtype=object),
    ]
    return infer_schema(["size", "weight", "colour"], columns)


def test_infer_schema_records_kinds_ranges_categories_and_missing(mixed_schema):
    size, weight, colour = mixed_schema.features
    assert (size.kind, size.allows_missing, size.minimum, size.maximum) == (
        FeatureKind.NUMERIC,
        True,
        1.0,
        2.5,
    )
    assert (weight.allows_missing, weight.minimum, weight.maximum) == (False, 10.0, 30.0)
    assert colour.kind is FeatureKind.CATEGORICAL
    assert colour.categories == ["blue", "red"]
    assert colour.allows_missing


def test_objects_and_arrays_give_the_same_matrix(mixed_schema):
    by_name = validate_instances(mixed_schema, [{"size": 1.5, "weight": 12, "colour": "red"}])
    by_position = validate_instances(mixed_schema, [[1.5, 12, "red"]])
    assert by_name.tolist() == by_position.tolist() == [[1.5, 12.0, "red"]]


def test_all_numeric_schema_gives_a_float_matrix():
    schema = infer_schema(["a", "b"], [np.array([1.0, 2.0]), np.array([3.0, 4.0])])
    matrix = validate_instances(schema, [[1, 2], {"a": 3.5, "b": 4}])
    assert matrix.dtype == np.float64
    assert matrix.tolist() == [[1.0, 2.0], [3.5, 4.0]]


def test_missing_values_pass_only_where_training_had_them(mixed_schema):
    matrix = validate_instances(mixed_schema, [[None, 12, None]])
    assert math.isnan(matrix[0, 0])
    assert matrix[0, 2] is None
    with pytest.raises(SchemaValidationError) as raised:
        validate_instances(mixed_schema, [[1.0, None, "red"]])
    assert "row 0, feature 'weight'" in str(raised.value)


@pytest.mark.parametrize(
    ("row", "feature", "fragment"),
    [
        ({"size": 1.0, "weight": 1.0, "colour": "red", "age": 3}, "age", "unknown feature"),
        ({"size": 1.0, "colour": "red"}, "weight", "missing feature"),
        ({"size": "big", "weight": 1.0, "colour": "red"}, "size", "expected a number, got str"),
        ({"size": True, "weight": 1.0, "colour": "red"}, "size", "expected a number, got bool"),
        ({"size": 1.0, "weight": float("inf"), "colour": "red"}, "weight", "infinity"),
        ({"size": 1.0, "weight": float("nan"), "colour": "red"}, "weight", "NaN is not allowed"),
        ({"size": 1.0, "weight": 1.0, "colour": 7}, "colour", "expected a string category"),
    ],
)
def test_each_bad_value_is_named_by_row_and_feature(mixed_schema, row, feature, fragment):
    good = {"size": 1.0, "weight": 1.0, "colour": "red"}
    with pytest.raises(SchemaValidationError) as raised:
        validate_instances(mixed_schema, [good, row])
    problems = raised.value.problems
    assert [(problem.row, problem.feature) for problem in problems] == [(1, feature)]
    assert fragment in problems[0].message


def test_array_rows_must_have_one_value_per_feature(mixed_schema):
    with pytest.raises(SchemaValidationError) as raised:
        validate_instances(mixed_schema, [[1.0, 2.0]])
    assert "has 2 values; expected 3" in str(raised.value)


def test_problem_list_is_bounded_but_counts_everything(mixed_schema):
    rows = [{"size": "x", "weight": "y", "colour": "red"}] * 50
    with pytest.raises(SchemaValidationError) as raised:
        validate_instances(mixed_schema, rows)
    assert raised.value.total == 100
    assert len(raised.value.problems) == 20
    assert "(and 80 more)" in str(raised.value)


def test_the_vectorised_path_gives_what_the_row_by_row_path_gives():
    # Given a numeric schema and rows that mix objects, arrays, ints and floats
    schema = infer_schema(["a", "b", "c"], [np.array([1.0, np.nan]), np.zeros(2), np.ones(2)])
    clean = [{"c": 3, "a": 1.5, "b": -2}, [0.25, 7, 1e300]]
    # When one row has a missing value (which only the row-by-row path handles)
    with_missing = [*clean, [None, 1, 2]]
    # Then both paths agree on the rows they share
    assert validate_instances(schema, clean).tolist() == [[1.5, -2.0, 3.0], [0.25, 7.0, 1e300]]
    assert validate_instances(schema, with_missing)[:2].tolist() == [
        [1.5, -2.0, 3.0],
        [0.25, 7.0, 1e300],
    ]


@pytest.mark.parametrize(
    ("bad_row", "feature"),
    [
        ({"a": 1.0, "b": True, "c": 2.0}, "b"),
        ({"a": 1.0, "b": float("nan"), "c": 2.0}, "b"),
        ([1.0, float("-inf"), 2.0], "b"),
        ({"a": 1.0, "b": 2.0}, "c"),
    ],
)
def test_bad_values_never_slip_through_the_vectorised_path(bad_row, feature):
    schema = infer_schema(["a", "b", "c"], [np.ones(2), np.ones(2), np.ones(2)])
    with pytest.raises(SchemaValidationError) as raised:
        validate_instances(schema, [[1.0, 2.0, 3.0], bad_row])
    assert [(problem.row, problem.feature) for problem in raised.value.problems] == [(1, feature)]
