"""Boolean features in requests, and categories the model never saw."""

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sklambda.schema import (
    SchemaValidationError,
    infer_schema,
    unseen_categories,
    unseen_category_counts,
    validate_instances,
)

TOWNS = np.array(["Lille", "Paris", None], dtype=object)


SCHEMA = infer_schema(["member", "town"], [np.array([1.0, 0.0, np.nan]), TOWNS], boolean={"member"})


@pytest.fixture
def schema():
    return SCHEMA


def test_json_and_text_booleans_become_numbers(schema):
    matrix = validate_instances(
        schema,
        [
            {"member": True, "town": "Lille"},
            {"member": "False", "town": "Paris"},
            {"member": None, "town": None},
            [1, "Lille"],
        ],
    )
    assert matrix[:, 0].tolist()[:2] == [1.0, 0.0]
    assert math.isnan(matrix[2, 0])
    assert matrix[3, 0] == 1.0


@pytest.mark.parametrize("value", ["yes", 2, 0.5, [True]])
def test_other_values_are_refused_for_a_boolean(schema, value):
    with pytest.raises(SchemaValidationError, match="expected true or false"):
        validate_instances(schema, [{"member": value, "town": "Lille"}])


def test_unseen_and_case_only_differences_are_named_missing_is_not(schema):
    matrix = validate_instances(
        schema,
        [
            {"member": True, "town": "lille"},
            {"member": True, "town": "Lille"},
            {"member": True, "town": None},
            {"member": False, "town": "Roubaix"},
        ],
    )
    found = unseen_categories(schema, matrix)
    assert [(item.row, item.feature, item.value) for item in found] == [
        (0, "town", "lille"),
        (3, "town", "Roubaix"),
    ]
    assert "was not seen in training" in str(found[0])


@given(st.lists(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=6))))
def test_any_boolean_value_converts_or_is_refused_with_a_reason(values):
    rows = [{"member": value, "town": "Lille"} for value in values]
    try:
        validate_instances(SCHEMA, rows)
    except SchemaValidationError as error:
        problems = error.problems
    else:
        problems = [None]
    assert problems


@given(
    st.lists(
        st.sampled_from(["Lille", "Paris", "lille", "Lyon", "", None, "Paris "]),
        min_size=1,
        max_size=40,
    )
)
def test_unseen_counts_are_the_listed_unseen_values_counted(towns):
    matrix = np.array([[1.0, town] for town in towns], dtype=object)
    listed = unseen_categories(SCHEMA, matrix)
    counts = unseen_category_counts(SCHEMA, matrix)
    expected = Counter(item.value for item in listed)
    assert counts == ({"town": expected} if expected else {})


def test_unseen_counts_skip_a_feature_whose_categories_were_cut():
    cut = SCHEMA.model_copy(
        update={
            "features": [
                SCHEMA.features[0],
                SCHEMA.features[1].model_copy(update={"categories_truncated": True}),
            ]
        }
    )
    matrix = np.array([[1.0, "Lyon"]], dtype=object)
    assert unseen_category_counts(cut, matrix) == {}
