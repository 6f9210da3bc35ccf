import numpy as np
import pytest
from scipy import stats

from sklambda.drift.baseline import Baseline, NumericBaseline, build_baseline
from sklambda.drift.evaluate import OTHER_BUCKET, DriftReport, FeatureDrift, evaluate_drift

SPECS = [("stable", "numeric"), ("moving", "numeric"), ("colour", "categorical")]
COLOURS = np.array(["red", "green", "blue"])


def _matrix(rows: int, rng: np.random.Generator, *, shift: float = 0.0, p=(0.5, 0.3, 0.2)):
    matrix = np.empty((rows, 3), dtype=object)
    matrix[:, 0] = rng.normal(size=rows)
    matrix[:, 1] = rng.normal(loc=shift, size=rows)
    matrix[:, 2] = rng.choice(COLOURS, size=rows, p=p)
    return matrix


@pytest.fixture(scope="module")
def baseline() -> Baseline:
    rng = np.random.default_rng(0)
    predictions = rng.choice([0, 1], size=20_000, p=[0.8, 0.2])
    return build_baseline(SPECS, _matrix(20_000, rng), predictions, task="classification")


def _by_name(report: DriftReport) -> dict[str, FeatureDrift]:
    return {feature.name: feature for feature in report.features}


def test_shifted_feature_is_flagged_and_stable_one_is_not(baseline):
    # Given traffic where only "moving" has shifted by half a standard deviation
    rng = np.random.default_rng(1)
    current = _matrix(20_000, rng, shift=0.5)
    predictions = rng.choice([0, 1], size=20_000, p=[0.8, 0.2])

    # When drift is evaluated
    report = evaluate_drift(baseline, current, predictions)

    # Then only the moved feature drifts, and the aggregates agree
    features = _by_name(report)
    assert features["moving"].drifted is True
    assert features["moving"].psi is not None
    assert features["moving"].psi > 0.2
    assert features["moving"].triggered_by == ["psi", "ks"]
    assert features["moving"].statistics["ks"].p_value < 1e-6
    assert features["stable"].drifted is False
    assert features["stable"].psi is not None
    assert features["stable"].psi < 0.02
    assert features["colour"].drifted is False
    assert report.drifted_feature_count == 1
    assert report.drifted_fraction == pytest.approx(1 / 3)
    assert report.max_psi == features["moving"].psi
    assert report.prediction.drifted is False
    assert report.insufficient_data is False


def test_ks_in_the_report_compares_with_the_reference_sample(baseline):
    rng = np.random.default_rng(2)
    current = _matrix(30_000, rng, shift=0.05)

    report = evaluate_drift(baseline, current, np.zeros(30_000, dtype=int))

    reference = baseline.feature("moving")
    assert isinstance(reference, NumericBaseline)
    expected = stats.ks_2samp(reference.reference_sample, current[:, 1].astype(float))
    moving = _by_name(report)["moving"]
    assert moving.statistics["ks"].value == pytest.approx(expected.statistic, abs=1e-12)
    assert moving.statistics["ks"].p_value == pytest.approx(expected.pvalue, rel=1e-9)
    assert moving.values_compared == 30_000


def test_shifted_category_mix_is_flagged_by_chi_square(baseline):
    rng = np.random.default_rng(3)
    current = _matrix(5_000, rng, p=(0.42, 0.33, 0.25))

    colour = _by_name(evaluate_drift(baseline, current, np.zeros(5_000, dtype=int)))["colour"]

    assert colour.psi is not None
    assert colour.psi < 0.2  # too small a move for PSI alone
    assert colour.triggered_by == ["chi2"]
    assert colour.statistics["chi2"].p_value < 1e-6
    assert colour.drifted is True


def test_unseen_categories_are_pooled_into_other(baseline):
    rng = np.random.default_rng(4)
    current = _matrix(2_000, rng)
    current[:400, 2] = "purple"

    colour = _by_name(evaluate_drift(baseline, current, np.zeros(2_000, dtype=int)))["colour"]

    assert colour.bin_labels[-1] == OTHER_BUCKET
    assert colour.current_proportions is not None
    assert colour.current_proportions[-1] == pytest.approx(0.2)
    assert colour.baseline_proportions[-1] == 0.0
    assert colour.drifted is True


def test_prediction_drift_is_flagged_when_class_shares_move(baseline):
    rng = np.random.default_rng(5)
    predictions = rng.choice([0, 1], size=10_000, p=[0.4, 0.6])

    report = evaluate_drift(baseline, _matrix(10_000, rng), predictions)

    assert report.prediction.psi is not None
    assert report.prediction.psi > 0.2
    assert "ks" not in report.prediction.statistics
    assert report.prediction.value("js_distance") > 0.1
    assert report.prediction.drifted is True


def test_below_min_samples_every_statistic_is_absent(baseline):
    # Given fewer rows than min_samples, all of them wildly shifted
    rng = np.random.default_rng(6)
    current = _matrix(99, rng, shift=10.0)

    report = evaluate_drift(baseline, current, np.ones(99, dtype=int), min_samples=100)

    # Then nothing is computed, so nothing can be misread as "no drift"
    assert report.insufficient_data is True
    assert report.sample_size == 99
    assert report.max_psi is None
    assert report.drifted_feature_count is None
    assert report.drifted_fraction is None
    for feature in [*report.features, report.prediction]:
        assert feature.statistics == {}
        assert feature.triggered_by == []
        assert feature.current_proportions is None
        assert feature.drifted is None
    assert all(feature.missing_rate is None for feature in report.features)


def test_at_min_samples_statistics_are_computed(baseline):
    rng = np.random.default_rng(6)
    report = evaluate_drift(baseline, _matrix(100, rng), np.ones(100, dtype=int), min_samples=100)
    assert report.insufficient_data is False
    assert all(feature.psi is not None for feature in report.features)


def test_mostly_missing_column_is_not_scored_but_reports_its_missing_rate(baseline):
    rng = np.random.default_rng(7)
    current = _matrix(1_000, rng)
    current[:950, 0] = None

    report = evaluate_drift(baseline, current, np.zeros(1_000, dtype=int), min_samples=100)

    stable = _by_name(report)["stable"]
    assert stable.psi is None
    assert stable.statistics == {}
    assert stable.missing_rate == pytest.approx(0.95)
    assert stable.baseline_missing_rate == 0.0
    assert report.drifted_fraction is not None  # the other two features were scored


def test_report_survives_a_json_round_trip(baseline):
    rng = np.random.default_rng(8)
    report = evaluate_drift(baseline, _matrix(3_000, rng, shift=1.0), np.zeros(3_000, dtype=int))
    assert DriftReport.model_validate_json(report.model_dump_json()) == report


def test_histograms_for_plotting_line_up_with_labels(baseline):
    rng = np.random.default_rng(9)
    report = evaluate_drift(baseline, _matrix(3_000, rng), np.zeros(3_000, dtype=int))
    for feature in report.features:
        assert feature.current_proportions is not None
        assert len(feature.bin_labels) == len(feature.baseline_proportions)
        assert len(feature.bin_labels) == len(feature.current_proportions)
        assert sum(feature.current_proportions) == pytest.approx(1.0)


def test_wrong_number_of_columns_is_rejected(baseline):
    with pytest.raises(ValueError, match="3 columns"):
        evaluate_drift(baseline, np.zeros((10, 2)), np.zeros(10))


def test_regression_prediction_drift_uses_the_prediction_histogram():
    rng = np.random.default_rng(10)
    training = _matrix(10_000, rng)
    baseline = build_baseline(SPECS, training, rng.normal(size=10_000), task="regression")

    steady = evaluate_drift(baseline, _matrix(10_000, rng), rng.normal(size=10_000))
    moved = evaluate_drift(baseline, _matrix(10_000, rng), rng.normal(loc=1.0, size=10_000))

    assert steady.prediction.kind == "numeric"
    assert steady.prediction.drifted is False
    assert moved.prediction.drifted is True
    assert moved.prediction.psi is not None
    assert moved.prediction.psi > 0.2


def test_numeric_bin_labels_are_short_but_keep_close_edges_apart():
    from sklambda.drift.evaluate import numeric_bin_labels

    assert numeric_bin_labels([9.28461, 12.1043]) == ["< 9.28", "9.28\N{EN DASH}12.1", "≥ 12.1"]
    close = numeric_bin_labels([100.01, 100.02])
    assert close == ["< 100.01", "100.01\N{EN DASH}100.02", "≥ 100.02"]
    repeated = numeric_bin_labels([5.0, float(np.nextafter(5.0, np.inf))])
    assert repeated[1] == "= 5"
    assert numeric_bin_labels([]) == ["all"]
