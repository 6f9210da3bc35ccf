import json

import numpy as np
import pytest

from sklambda.drift.baseline import (
    Baseline,
    CategoricalBaseline,
    NumericBaseline,
    build_baseline,
    quantile_edges,
)
from sklambda.drift.columns import bin_counts_sorted


def _numeric(baseline: Baseline, name: str) -> NumericBaseline:
    feature = baseline.feature(name)
    assert isinstance(feature, NumericBaseline)
    return feature


def _categorical(baseline: Baseline, name: str) -> CategoricalBaseline:
    feature = baseline.feature(name)
    assert isinstance(feature, CategoricalBaseline)
    return feature


def _mixed_matrix(rows: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    matrix = np.empty((rows, 3), dtype=object)
    matrix[:, 0] = rng.normal(size=rows)
    matrix[:, 1] = rng.choice(["red", "green", "blue"], size=rows, p=[0.5, 0.3, 0.2])
    matrix[:, 2] = 7.5
    return matrix


SPECS = [("x", "numeric"), ("colour", "categorical"), ("flat", "numeric")]


def test_numeric_bins_are_quantiles_with_open_outer_bins():
    # Given a continuous column
    values = np.random.default_rng(1).normal(size=(10_000, 1))

    # When the baseline is built with ten bins
    feature = _numeric(
        build_baseline([("x", "numeric")], values, values[:, 0], task="regression"), "x"
    )

    # Then nine strictly increasing interior edges split the data into tenths
    assert len(feature.bin_edges) == 9
    assert np.all(np.diff(feature.bin_edges) > 0)
    assert len(feature.bin_proportions) == 10
    np.testing.assert_allclose(feature.bin_proportions, 0.1, atol=1e-3)
    assert sum(feature.bin_proportions) == pytest.approx(1.0)


def test_every_future_value_lands_in_a_bin():
    values = np.random.default_rng(2).uniform(-1, 1, size=(1_000, 1))
    feature = _numeric(
        build_baseline([("x", "numeric")], values, values[:, 0], task="regression"), "x"
    )
    future = np.sort(np.array([-1e300, -5.0, 0.0, 5.0, 1e300, *feature.bin_edges]))

    counts = bin_counts_sorted(future, np.asarray(feature.bin_edges))

    assert counts.sum() == future.size
    assert counts[0] == 2  # -1e300 and -5 fall below the first edge
    assert counts[-1] >= 2  # 5 and 1e300 fall at or above the last edge


def test_constant_column_gets_its_own_bin():
    baseline = build_baseline(SPECS, _mixed_matrix(500), np.zeros(500), task="regression")
    flat = _numeric(baseline, "flat")

    assert flat.bin_edges == [7.5, float(np.nextafter(7.5, np.inf))]
    assert flat.bin_proportions == [0.0, 1.0, 0.0]
    assert flat.missing_rate == 0.0


def test_point_mass_in_zero_inflated_column_is_isolated():
    values = np.sort(np.concatenate([np.zeros(900), np.linspace(1, 10, 100)]))

    edges = quantile_edges(values, 10)

    # "< 0", "= 0" and "> 0" are distinct bins, so mass moving off zero is visible.
    assert edges[0] == 0.0
    assert edges[1] == np.nextafter(0.0, np.inf)
    np.testing.assert_array_equal(bin_counts_sorted(values, edges)[:2], [0, 900])


def test_missing_values_are_counted_and_excluded_from_proportions():
    matrix = _mixed_matrix(1_000)
    matrix[:100, 0] = np.nan
    matrix[100:150, 0] = None
    matrix[:200, 1] = None
    matrix[200:250, 1] = np.nan

    baseline = build_baseline(SPECS, matrix, np.zeros(1_000), task="regression")

    x, colour = _numeric(baseline, "x"), _categorical(baseline, "colour")
    assert x.missing_rate == pytest.approx(0.15)
    assert x.count == 1_000
    assert sum(x.bin_proportions) == pytest.approx(1.0)
    assert len(x.reference_sample) == 850
    assert colour.missing_rate == pytest.approx(0.25)
    assert sum(colour.category_proportions.values()) == pytest.approx(1.0)


def test_all_missing_numeric_column_has_no_bins():
    matrix = np.full((20, 1), np.nan)
    feature = _numeric(
        build_baseline([("x", "numeric")], matrix, np.zeros(20), task="regression"), "x"
    )
    assert feature.missing_rate == 1.0
    assert feature.bin_edges == []
    assert feature.reference_sample == []


def test_categorical_frequencies_match_counts():
    column = np.array(["a"] * 6 + ["b"] * 3 + ["c"], dtype=object).reshape(-1, 1)

    feature = _categorical(
        build_baseline([("c", "categorical")], column, np.zeros(10), task="regression"), "c"
    )

    assert feature.category_proportions == {"a": 0.6, "b": 0.3, "c": 0.1}
    assert list(feature.category_proportions) == ["a", "b", "c"]  # most frequent first
    assert feature.other_proportion == 0.0


def test_rare_categories_beyond_the_cap_are_pooled():
    column = np.array(["a"] * 5 + ["b"] * 3 + ["c", "d"]).reshape(-1, 1)

    feature = _categorical(
        build_baseline(
            [("c", "categorical")], column, np.zeros(10), task="regression", max_categories=2
        ),
        "c",
    )

    assert feature.category_proportions == {"a": 0.5, "b": 0.3}
    assert feature.other_proportion == pytest.approx(0.2)


def test_reference_sample_is_bounded_sorted_and_seeded():
    values = np.random.default_rng(3).normal(size=(20_000, 1))

    def sample(seed: int) -> list[float]:
        baseline = build_baseline(
            [("x", "numeric")], values, values[:, 0], task="regression", seed=seed
        )
        return _numeric(baseline, "x").reference_sample

    first = sample(0)
    assert len(first) == 5_000
    assert first == sorted(first)
    assert set(first) <= set(values[:, 0].tolist())
    assert len(set(first)) == 5_000  # drawn without replacement
    assert sample(0) == first
    assert sample(1) != first


def test_classification_prediction_baseline_holds_class_shares():
    predictions = np.array([0] * 70 + [1] * 30)
    baseline = build_baseline(SPECS, _mixed_matrix(100), predictions, task="classification")

    assert isinstance(baseline.prediction, CategoricalBaseline)
    assert baseline.prediction.category_proportions == {"0": 0.7, "1": 0.3}


def test_regression_prediction_baseline_holds_bins_and_sample():
    predictions = np.random.default_rng(4).gamma(2.0, size=3_000)
    baseline = build_baseline(SPECS, _mixed_matrix(3_000), predictions, task="regression")

    assert isinstance(baseline.prediction, NumericBaseline)
    assert len(baseline.prediction.bin_proportions) == 10
    assert len(baseline.prediction.reference_sample) == 3_000


def test_baseline_survives_a_json_round_trip():
    matrix = _mixed_matrix(2_000)
    matrix[:10, 0] = np.inf  # infinities count as missing, so JSON never sees them
    baseline = build_baseline(SPECS, matrix, np.arange(2_000) % 3, task="classification")

    text = baseline.model_dump_json()

    assert "Infinity" not in text
    assert "NaN" not in text
    assert json.loads(text)["schema_version"] == 1
    assert Baseline.model_validate_json(text) == baseline


def test_build_baseline_rejects_bad_shapes_and_kinds():
    with pytest.raises(ValueError, match="3 columns"):
        build_baseline(SPECS, np.zeros((5, 2)), np.zeros(5), task="regression")
    with pytest.raises(ValueError, match="unknown feature kinds"):
        build_baseline([("x", "text")], np.zeros((5, 1)), np.zeros(5), task="regression")
