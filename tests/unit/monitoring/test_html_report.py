"""The HTML drift report is self-contained and charts every feature, drifted ones first."""

import re
from datetime import UTC, datetime

import numpy as np

from drift_handler.html_report import render_html
from sklambda.drift import build_baseline, evaluate_drift

WINDOW = (datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, 1, tzinfo=UTC))


def _report(shift: float, rows: int = 800):
    rng = np.random.default_rng(0)
    specs = [("age", "numeric"), ("income", "numeric"), ("colour", "categorical")]
    training = np.empty((2000, 3), dtype=object)
    training[:, 0] = rng.normal(40, 10, 2000)
    training[:, 1] = rng.normal(50, 5, 2000)
    training[:, 2] = rng.choice(["red", "blue"], 2000)
    baseline = build_baseline(specs, training, rng.integers(0, 2, 2000), task="classification")
    current = np.empty((rows, 3), dtype=object)
    current[:, 0] = rng.normal(40, 10, rows)
    current[:, 1] = rng.normal(50 + shift, 5, rows)
    current[:, 2] = rng.choice(["red", "blue", "green"], rows)
    return evaluate_drift(baseline, current, rng.integers(0, 2, rows), min_samples=500)


def test_every_feature_gets_an_svg_chart_and_drifted_features_come_first():
    html = render_html(_report(shift=15.0), model_name="m", model_version="v1", window=WINDOW)
    sections = re.findall(r'<section class="feature( drifted)?" data-feature="([^"]+)">', html)
    assert sorted(name for _, name in sections) == ["age", "colour", "income"]
    assert (" drifted", "income") in sections
    assert ("", "age") in sections
    drifted_flags = [bool(flag) for flag, _ in sections]
    assert drifted_flags == sorted(drifted_flags, reverse=True)
    # One chart per feature plus one for the predictions, each with baseline and current bars.
    assert html.count("<svg") == 4
    assert 'aria-label="income"' in html
    assert "current: " in html


def test_the_report_loads_nothing_from_anywhere():
    html = render_html(_report(shift=0.0), model_name="m", model_version="v1", window=WINDOW)
    assert "<script" not in html
    assert "src=" not in html
    assert "<link" not in html


def test_an_insufficient_window_says_so_and_draws_baselines_only():
    report = _report(shift=0.0, rows=100)
    html = render_html(report, model_name="m", model_version="v1", window=WINDOW)
    assert "Insufficient data: 100 rows" in html
    assert "current: " not in html
    assert html.count("<svg") == 4
