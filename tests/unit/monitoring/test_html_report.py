"""The HTML drift report: overview first, one shared axis, a card per feature, nothing loaded."""

import re
from datetime import UTC, datetime

import numpy as np
import pytest

from drift_handler.adapters.report_store import PastRun
from drift_handler.html_report import ReportContext, feature_anchor, format_p_value, render_html
from sklambda.drift import STATISTICS, build_baseline, evaluate_drift

WINDOW = (datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, 1, tzinfo=UTC))
CONTEXT = ReportContext(model_name="m", model_version="v1", window=WINDOW)


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


def _wide_report(features: int = 30, rows: int = 3_000):
    """A user's table, not the demo's: skewed, integer, long-named and categorical columns."""
    rng = np.random.default_rng(5)
    specs = []
    training = np.empty((4_000, features), dtype=object)
    current = np.empty((rows, features), dtype=object)
    for index in range(features):
        if index % 3 == 2:
            specs.append((f"segment_of_customer_account_{index}", "categorical"))
            training[:, index] = rng.choice(["alpha", "beta", "gamma", "delta"], 4_000)
            current[:, index] = rng.choice(["alpha", "beta", "gamma", "epsilon"], rows)
        else:
            specs.append((f"x{index}", "numeric"))
            training[:, index] = rng.lognormal(3, 1, 4_000)
            current[:, index] = rng.lognormal(3 + (index % 4 == 0) * 0.8, 1, rows)
    baseline = build_baseline(specs, training, rng.integers(0, 3, 4_000), task="classification")
    return evaluate_drift(baseline, current, rng.integers(0, 3, rows), min_samples=500)


def test_every_feature_gets_a_chart_and_drifted_features_come_first():
    html = render_html(_report(shift=15.0), CONTEXT)
    sections = re.findall(
        r'<section class="feature( drifted)?" id="[^"]+" data-feature="([^"]+)">', html
    )
    assert sorted(name for _, name in sections) == ["age", "colour", "income"]
    assert (" drifted", "income") in sections
    assert ("", "age") in sections
    drifted_flags = [bool(flag) for flag, _ in sections]
    assert drifted_flags == sorted(drifted_flags, reverse=True)
    # One chart per feature plus one for the predictions, each with baseline and current bars.
    assert html.count('<svg role="img" aria-label=') == 4
    assert 'aria-label="income"' in html
    assert ", current " in html


def test_thirty_features_render_an_overview_a_shared_axis_and_a_card_each():
    report = _wide_report()
    html = render_html(report, CONTEXT)

    overview = html[html.index('<table class="overview">') : html.index("</table>")]
    rows = re.findall(r'<tr><td data-v="([^"]*)"><a href="#([^"]+)">', overview)
    assert len(rows) == 30
    # Each row links to its feature's card, and every card exists once.
    for name, anchor in rows:
        assert anchor == feature_anchor(name)
        assert html.count(f'id="{anchor}"') == 1
    # The overview has a column per statistic of the registry, with its threshold.
    for definition in STATISTICS:
        assert definition.title in overview
    assert "≥ 0.2" in overview
    assert "p &lt; 0.001" in overview
    # One labelled axis shared by every chart: the same top tick in each.
    assert html.count(">share of rows</text>") == 31
    top_ticks = re.findall(r'y2="10.0" stroke="#e4e7eb"/><text [^>]*>(\d+%)<', html)
    assert len(top_ticks) == 31
    assert len(set(top_ticks)) == 1
    # Triggered statistics are named, p-values are for people.
    assert "Triggered by" in overview
    visible_text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\d(\.\d+)?e-\d+", visible_text)
    # Still small, and nothing leaves the file.
    assert len(html.encode()) < 250_000


def test_empty_bins_are_not_drawn():
    # Given a categorical feature whose pooled "other" bucket is empty on both sides
    report = _report(shift=0.0)
    prediction_labels = report.prediction.bin_labels
    assert "__other__" in prediction_labels
    html = render_html(report, CONTEXT)
    predictions = html[html.index('id="predictions"') : html.index("</section>")]
    assert "__other__" not in predictions


def test_the_report_loads_nothing_from_anywhere():
    html = render_html(_report(shift=0.0), CONTEXT)
    assert html.count("<script") == 1
    assert "<script>" in html  # inline only
    assert "src=" not in html
    assert "<link" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html


def test_context_links_and_trend_come_from_the_given_runs():
    context = ReportContext(
        model_name="m",
        model_version="v1",
        window=WINDOW,
        baseline_rows=2_000,
        baseline_created_at=datetime(2029, 12, 1, 8, 30, tzinfo=UTC),
        json_href="20300101T010000Z.json",
        previous_href="20300101T000000Z.html",
        manifest_uri="s3://bucket/models/m/v1/manifest.json",
        trend=[PastRun("20300101T000000Z", 0.05, 0.0), PastRun("20300101T010000Z", 0.4, 0.33)],
    )
    html = render_html(_report(shift=15.0), context)
    assert "Baseline: 2000 training rows, trained 2029-12-01 08:30 UTC." in html
    assert 'href="20300101T010000Z.json"' in html
    assert 'href="20300101T000000Z.html"' in html
    assert "s3://bucket/models/m/v1/manifest.json" in html
    assert 'aria-label="max PSI by run"' in html
    assert html.count("<circle") == 2
    assert "What the statistics mean" in html
    assert "0.0001" in html


def test_an_insufficient_window_says_so_and_draws_baselines_only():
    report = _report(shift=0.0, rows=100)
    html = render_html(report, CONTEXT)
    assert "Insufficient data: 100 rows" in html
    assert ", current " not in html
    assert html.count('<svg role="img" aria-label=') == 4
    assert "fewer than two scored runs" in html


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.151e-308, "< 0.0001"),
        (0.0, "< 0.0001"),
        (0.00042, "0.0004"),
        (0.0312, "0.031"),
        (0.5, "0.500"),
        (1.0, "> 0.9999"),
        (None, "n/a"),
    ],
)
def test_p_values_are_formatted_for_people(value, text):
    assert format_p_value(value) == text
