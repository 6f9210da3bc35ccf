"""The statistics registry drives the evaluation: a new entry reaches the JSON report alone."""

import numpy as np
import pytest
from scipy import stats

from sklambda.drift import STATISTICS, build_baseline, evaluate_drift
from sklambda.drift import evaluate as evaluate_module
from sklambda.drift.registry import BOTH_KINDS, DriftStatistic, Measurement, Thresholds


def _report():
    rng = np.random.default_rng(3)
    specs = [("amount", "numeric"), ("channel", "categorical")]
    training = np.empty((3_000, 2), dtype=object)
    training[:, 0] = rng.gamma(2.0, 10.0, 3_000)
    training[:, 1] = rng.choice(["a", "b", "c"], 3_000)
    current = np.empty((2_000, 2), dtype=object)
    current[:, 0] = rng.gamma(2.0, 14.0, 2_000)
    current[:, 1] = rng.choice(["a", "b", "c"], 2_000)
    baseline = build_baseline(specs, training, rng.integers(0, 2, 3_000), task="classification")
    return evaluate_drift(baseline, current, rng.integers(0, 2, 2_000))


def test_names_and_metrics_are_unique_and_every_kind_is_covered():
    names = [statistic.name for statistic in STATISTICS]
    metrics = [statistic.metric for statistic in STATISTICS]
    assert len(set(names)) == len(names)
    assert len(set(metrics)) == len(metrics)
    for kind in BOTH_KINDS:
        assert any(s.threshold for s in STATISTICS if s.applies_to(kind)), kind


def test_each_feature_carries_exactly_the_statistics_for_its_kind():
    report = _report()
    for feature in report.features:
        expected = {s.name for s in STATISTICS if s.applies_to(feature.kind)}
        assert set(feature.statistics) == expected
        triggered = {name for name, result in feature.statistics.items() if result.triggered}
        assert set(feature.triggered_by) == triggered
        assert feature.drifted is bool(triggered)


def test_thresholds_are_recorded_with_each_result():
    amount = _report().features[0]
    assert amount.statistics["psi"].threshold == 0.2
    assert amount.statistics["ks"].threshold == 0.001
    assert amount.statistics["js_distance"].threshold is None
    assert amount.statistics["js_distance"].triggered is None


@pytest.mark.parametrize(
    ("threshold", "measured", "expected"),
    [
        ("psi", Measurement(0.2), True),
        ("psi", Measurement(0.19), False),
        ("p_value", Measurement(0.5, 0.0009), True),
        ("p_value", Measurement(0.5, 0.001), False),
    ],
)
def test_threshold_rules(threshold, measured, expected):
    definition = DriftStatistic(
        name="x",
        title="x",
        kinds=BOTH_KINDS,
        compute=lambda _: measured,
        metric="X",
        threshold=threshold,
    )
    assert definition.triggered(measured, Thresholds(psi=0.2, p_value=0.001)) is expected


def test_a_new_statistic_needs_only_a_registry_entry(monkeypatch):
    # Given Wasserstein registered for numeric columns, computed by scipy
    def wasserstein(comparison):
        return Measurement(
            stats.wasserstein_distance(comparison.reference_sample, comparison.current_values)
        )

    extra = DriftStatistic(
        name="wasserstein",
        title="Wasserstein",
        kinds=frozenset({"numeric"}),
        compute=wasserstein,
        metric="Wasserstein",
    )
    monkeypatch.setattr(evaluate_module, "STATISTICS", (*STATISTICS, extra))

    # Then the report carries it for numeric features only, judged by nothing
    report = _report()
    amount, channel = report.features
    assert amount.statistics["wasserstein"].value > 1.0
    assert amount.statistics["wasserstein"].triggered is None
    assert "wasserstein" not in channel.statistics
    assert '"wasserstein"' in report.model_dump_json()
