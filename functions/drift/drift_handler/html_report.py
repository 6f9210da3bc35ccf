"""A self-contained HTML drift report: an overview table, a trend, then one card per feature.

Nothing is loaded from anywhere, so the file opens offline, from S3 or from a mail. The one
script is inline and only sorts the overview table when a header is clicked; without it the
table still reads in its default order (drifted first, highest PSI first). CSS alone cannot
reorder table rows, and a second pre-sorted copy of the table per column would multiply the
report's size, so a few lines of inline script are the smallest self-contained way.
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from drift_handler.adapters.report_store import PastRun as TrendPoint
from sklambda.drift import STATISTICS, DriftReport, FeatureDrift, PredictionDrift, Thresholds

_BASELINE_COLOUR = "#9aa5b1"
_CURRENT_COLOUR = "#d9480f"
_CHART_WIDTH = 900
_BARS_HEIGHT = 150
_AXIS_WIDTH = 56
_LABEL_CHARS = 22
_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;color:#1f2933;max-width:64rem;padding:0 1rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin:0 0 .3rem}h3{font-size:1rem}
section{border:1px solid #d2d6dc;border-radius:6px;padding:.8rem 1rem;margin:1rem 0}
section.drifted{border-color:#d9480f;background:#fff8f3}
table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left}
.overview{width:100%;font-size:.9rem}
.overview thead th{cursor:pointer;border-bottom:2px solid #9aa5b1;white-space:nowrap}
.overview tbody tr:nth-child(even){background:#f5f7fa}
.overview td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.hit{color:#d9480f;font-weight:600}
.badge{display:inline-block;padding:0 .4rem;border-radius:4px;font-size:.8rem;color:#fff}
.yes{background:#d9480f}.no{background:#2f9e44}.na{background:#868e96}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem}
svg{width:100%;height:auto}svg text{font-size:12px;fill:#3e4c59}
dl{font-size:.9rem}dt{font-weight:600}dd{margin:0 0 .4rem 1rem}
"""
# Sorts the overview by the clicked column: data-v holds the sortable value of each cell.
_SORT_SCRIPT = """
document.querySelectorAll("table.overview th").forEach(function(th,i){th.onclick=function(){
var b=th.closest("table").tBodies[0],r=Array.from(b.rows),d=th.dataset.d=th.dataset.d=="1"?"-1":"1";
r.sort(function(x,y){var a=x.cells[i].dataset.v,c=y.cells[i].dataset.v,
p=parseFloat(a),q=parseFloat(c);return (isNaN(p)||isNaN(q)?a.localeCompare(c):p-q)*d;});
r.forEach(function(e){b.appendChild(e);});};});
"""


@dataclass(frozen=True)
class ReportContext:
    model_name: str
    model_version: str
    window: tuple[datetime, datetime]
    baseline_rows: int | None = None
    baseline_created_at: datetime | None = None
    json_href: str | None = None
    previous_href: str | None = None
    manifest_uri: str | None = None
    trend: Sequence[TrendPoint] = field(default_factory=tuple)


def format_p_value(value: float | None) -> str:
    """p-values for people: four decimals at most, and a floor instead of 1e-308."""
    if value is None:
        return "n/a"
    if value < 1e-4:
        return "< 0.0001"
    if value > 0.9999:
        return "> 0.9999"
    return f"{value:.4f}" if value < 0.01 else f"{value:.3f}"


def _number(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def feature_anchor(name: str) -> str:
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "_", name)


def _visible_bins(
    labels: list[str], baseline: list[float], current: list[float] | None
) -> list[int]:
    """Bins with rows on either side: an empty bin (say an unused "other") is left out."""
    return [
        index
        for index in range(len(labels))
        if baseline[index] > 0 or (current is not None and current[index] > 0)
    ] or list(range(len(labels)))


def axis_top(report: DriftReport) -> float:
    """The shared y-axis: the largest share of any bin in the report, up to a round tick."""
    shares = [
        *report.prediction.baseline_proportions,
        *(report.prediction.current_proportions or []),
    ]
    for feature in report.features:
        shares += [*feature.baseline_proportions, *(feature.current_proportions or [])]
    largest = max(shares, default=0.1)
    step = _tick_step(largest)
    return min(1.0, max(step, math.ceil(largest / step - 1e-9) * step))


def _tick_step(top: float) -> float:
    return 0.05 if top <= 0.2 else 0.1 if top <= 0.5 else 0.2


def histogram_svg(
    title: str, labels: list[str], baseline: list[float], current: list[float] | None, top: float
) -> str:
    """Paired bars per bin (training baseline, current window) on the report's shared axis."""
    bins = _visible_bins(labels, baseline, current)
    slot = (_CHART_WIDTH - _AXIS_WIDTH) / len(bins)
    shown = [labels[index] for index in bins]
    fits = max(len(label) for label in shown) * 6.5 <= slot
    label_height = (
        24 if fits else 7 * min(_LABEL_CHARS, max(len(label) for label in shown)) * 0.7 + 20
    )
    height = _BARS_HEIGHT + 10 + label_height
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {_CHART_WIDTH} {height:.0f}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<text x="12" y="{10 + _BARS_HEIGHT / 2:.0f}" text-anchor="middle" '
        f'transform="rotate(-90 12 {10 + _BARS_HEIGHT / 2:.0f})">share of rows</text>',
    ]
    step = _tick_step(top)
    for tick in range(round(top / step) + 1):
        share = tick * step
        y = 10 + _BARS_HEIGHT * (1 - share / top)
        parts.append(
            f'<line x1="{_AXIS_WIDTH}" x2="{_CHART_WIDTH}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#e4e7eb"/><text x="{_AXIS_WIDTH - 4}" y="{y + 4:.1f}" '
            f'text-anchor="end">{share:.0%}</text>'
        )
    series = [(baseline, _BASELINE_COLOUR, "baseline")]
    if current is not None:
        series.append((current, _CURRENT_COLOUR, "current"))
    bar = slot * 0.4
    for position, index in enumerate(bins):
        left = _AXIS_WIDTH + position * slot + slot * 0.1
        label = labels[index]
        tip = f"{label}: baseline {baseline[index]:.1%}" + (
            "" if current is None else f", current {current[index]:.1%}"
        )
        parts.append(f"<g><title>{escape(tip)}</title>")
        for offset, (values, colour, _) in enumerate(series):
            bar_height = _BARS_HEIGHT * min(values[index], top) / top
            parts.append(
                f'<rect x="{left + offset * bar:.1f}" y="{10 + _BARS_HEIGHT - bar_height:.1f}" '
                f'width="{bar:.1f}" height="{bar_height:.1f}" fill="{colour}"/>'
            )
        parts.append("</g>")
        middle = _AXIS_WIDTH + position * slot + slot / 2
        text = label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1] + "…"
        base = 10 + _BARS_HEIGHT + 16
        rotate = "" if fits else f' transform="rotate(-30 {middle:.1f} {base})"'
        anchor = "middle" if fits else "end"
        parts.append(
            f'<text x="{middle:.1f}" y="{base}" text-anchor="{anchor}"{rotate}>'
            f"{escape(text)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def trend_svg(points: Sequence[TrendPoint], psi_threshold: float) -> str:
    """Max PSI per run, oldest left, with the threshold as a dashed line."""
    scored = [point for point in points if point.max_psi is not None]
    if len(scored) < 2:
        return "<p>Trend: fewer than two scored runs of this version so far.</p>"
    width, height, left = _CHART_WIDTH, 140, _AXIS_WIDTH
    top = max(psi_threshold * 1.5, *(point.max_psi or 0.0 for point in scored))
    step = (width - left - 10) / (len(scored) - 1)

    def y(value: float) -> float:
        return 10 + (height - 40) * (1 - value / top)

    coordinates = [(left + i * step, y(point.max_psi or 0.0)) for i, point in enumerate(scored)]
    path = " ".join(f"{x:.1f},{y_:.1f}" for x, y_ in coordinates)
    parts = [
        f'<svg role="img" aria-label="max PSI by run" viewBox="0 0 {width} {height}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<text x="12" y="{(height - 30) / 2:.0f}" text-anchor="middle" '
        f'transform="rotate(-90 12 {(height - 30) / 2:.0f})">max PSI</text>',
        f'<text x="{left - 4}" y="14" text-anchor="end">{top:.2g}</text>',
        f'<text x="{left - 4}" y="{y(0) + 4:.1f}" text-anchor="end">0</text>',
        f'<line x1="{left}" x2="{width}" y1="{y(psi_threshold):.1f}" y2="{y(psi_threshold):.1f}" '
        f'stroke="{_CURRENT_COLOUR}" stroke-dasharray="4 4"/>',
        f'<text x="{width - 4}" y="{y(psi_threshold) - 4:.1f}" text-anchor="end">'
        f"threshold {psi_threshold:g}</text>",
        f'<polyline points="{path}" fill="none" stroke="#3e4c59" stroke-width="2"/>',
    ]
    for (x, y_), point in zip(coordinates, scored, strict=True):
        drifted = (
            f", {point.drifted_fraction:.0%} of features drifted"
            if point.drifted_fraction is not None
            else ""
        )
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y_:.1f}" r="4" fill="#3e4c59">'
            f"<title>{escape(point.run_id)}: "
            f"max PSI {_number(point.max_psi)}{drifted}</title></circle>"
        )
    parts.append(
        f'<text x="{left}" y="{height - 6}">{escape(scored[0].run_id)}</text>'
        f'<text x="{width - 4}" y="{height - 6}" text-anchor="end">'
        f"{escape(scored[-1].run_id)}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _badge(drifted: bool | None) -> str:
    if drifted is None:
        return '<span class="badge na">not scored</span>'
    return (
        '<span class="badge yes">drifted</span>'
        if drifted
        else '<span class="badge no">stable</span>'
    )


def _cell(
    text: str, sort_value: str | float | None, numeric: bool = False, hit: bool = False
) -> str:
    value = "" if sort_value is None else str(sort_value)
    css = " ".join(name for name, on in (("n", numeric), ("hit", hit)) if on)
    css_attribute = f' class="{css}"' if css else ""
    return f'<td data-v="{escape(value)}"{css_attribute}>{text}</td>'


def _statistic_text(feature: PredictionDrift, name: str) -> tuple[str, float | None, bool]:
    """The judged number of a statistic: its p-value for a test, else its value."""
    result = feature.statistics.get(name)
    if result is None:
        return "", None, False
    if result.p_value is None:
        return _number(result.value), result.value, bool(result.triggered)
    text = (
        f'<span title="statistic {_number(result.value)}">{format_p_value(result.p_value)}</span>'
    )
    return text, result.p_value, bool(result.triggered)


def _overview(features: list[FeatureDrift], thresholds: Thresholds) -> str:
    headers = ["Feature", "Kind"]
    headers += [
        f"{escape(s.title)}{' p-value' if s.p_value_metric else ''} "
        f"<small>{escape(s.rule(thresholds))}</small>"
        for s in STATISTICS
    ]
    headers += ["Triggered by", "Missing, baseline → now"]
    rows = []
    for feature in features:
        cells = [
            _cell(
                f'<a href="#{feature_anchor(feature.name)}">{escape(feature.name)}</a>',
                feature.name,
            ),
            _cell(feature.kind, feature.kind),
        ]
        for definition in STATISTICS:
            text, sort_value, hit = _statistic_text(feature, definition.name)
            cells.append(_cell(text, sort_value, numeric=True, hit=hit))
        triggered = ", ".join(
            definition.title for definition in STATISTICS if definition.name in feature.triggered_by
        )
        verdict = triggered or ("not scored" if feature.drifted is None else "none")
        cells.append(_cell(escape(verdict), verdict if triggered else f"~{verdict}"))
        missing = f"{_percent(feature.baseline_missing_rate)} → {_percent(feature.missing_rate)}"
        cells.append(_cell(missing, feature.missing_rate, numeric=True))
        rows.append(f"<tr>{''.join(cells)}</tr>")
    head = "".join(f"<th>{header}</th>" for header in headers)
    return (
        '<table class="overview"><thead><tr>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _statistics_table(feature: PredictionDrift, thresholds: Thresholds) -> str:
    rows = []
    for definition in STATISTICS:
        result = feature.statistics.get(definition.name)
        if result is None:
            continue
        value = _number(result.value)
        if result.p_value is not None:
            value += f", p-value {format_p_value(result.p_value)}"
        rule = definition.rule(thresholds)
        verdict = "" if result.triggered is None else (" — triggered" if result.triggered else "")
        rows.append(
            f"<tr><th>{escape(definition.title)}</th>"
            f'<td class="{"hit" if result.triggered else ""}">'
            f"{value}{escape(verdict)}</td><td>{escape(rule and 'threshold ' + rule)}</td></tr>"
        )
    return f"<table>{''.join(rows)}</table>"


def _feature_section(feature: FeatureDrift, thresholds: Thresholds, top: float) -> str:
    chart = histogram_svg(
        feature.name,
        feature.bin_labels,
        feature.baseline_proportions,
        feature.current_proportions,
        top,
    )
    css = "feature drifted" if feature.drifted else "feature"
    details = (
        f"<p>{feature.values_compared} values compared; missing "
        f"{_percent(feature.baseline_missing_rate)} in the baseline, "
        f"{_percent(feature.missing_rate)} now.</p>"
    )
    return (
        f'<section class="{css}" id="{feature_anchor(feature.name)}" '
        f'data-feature="{escape(feature.name)}">'
        f"<h2>{escape(feature.name)} <small>({feature.kind})</small> {_badge(feature.drifted)}</h2>"
        f"{chart}{_statistics_table(feature, thresholds)}{details}"
        '<p><a href="#overview">back to the overview</a></p></section>'
    )


def _prediction_section(prediction: PredictionDrift, thresholds: Thresholds, top: float) -> str:
    chart = histogram_svg(
        "model predictions",
        prediction.bin_labels,
        prediction.baseline_proportions,
        prediction.current_proportions,
        top,
    )
    css = "prediction drifted" if prediction.drifted else "prediction"
    return (
        f'<section id="predictions" class="{css}">'
        f"<h2>Predictions {_badge(prediction.drifted)}</h2>{chart}"
        f"{_statistics_table(prediction, thresholds)}</section>"
    )


def _context(report: DriftReport, context: ReportContext) -> str:
    start, end = context.window
    lines = [
        f"Window {start:%Y-%m-%d %H:%M:%S} to {end:%Y-%m-%d %H:%M:%S} UTC, "
        f"{report.sample_size} rows (at least {report.min_samples} needed)."
    ]
    if context.baseline_rows is not None or context.baseline_created_at is not None:
        size = f"{context.baseline_rows} training rows" if context.baseline_rows is not None else ""
        date = (
            f"trained {context.baseline_created_at:%Y-%m-%d %H:%M} UTC"
            if context.baseline_created_at is not None
            else ""
        )
        lines.append(f"Baseline: {', '.join(part for part in (size, date) if part)}.")
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    links = []
    if context.json_href:
        links.append(f'<a href="{escape(context.json_href)}">JSON report</a>')
    if context.previous_href:
        links.append(f'<a href="{escape(context.previous_href)}">previous report</a>')
    if context.manifest_uri:
        links.append(f"manifest <code>{escape(context.manifest_uri)}</code>")
    if links:
        items += f"<li>{' · '.join(links)}</li>"
    return f"<ul>{items}</ul>"


def _notes(thresholds: Thresholds) -> str:
    notes = "".join(
        f"<dt>{escape(s.title)} {escape(s.rule(thresholds))}</dt><dd>{escape(s.note)}</dd>"
        for s in STATISTICS
    )
    return (
        "<details open><summary>What the statistics mean</summary>"
        f"<dl>{notes}<dt>p-values</dt><dd>Shown to four decimals; smaller values read "
        "“&lt; 0.0001”. A feature drifts when any statistic with a threshold triggers.</dd></dl>"
        "</details>"
    )


def render_html(report: DriftReport, context: ReportContext) -> str:
    thresholds = Thresholds(psi=report.psi_threshold, p_value=report.p_value_threshold)
    ordered = sorted(report.features, key=lambda f: (not f.drifted, -(f.psi or 0.0), f.name))
    if report.insufficient_data:
        verdict = (
            f"Insufficient data: {report.sample_size} rows, at least {report.min_samples} are "
            "needed. Nothing was scored and no alarm can fire from this window."
        )
    else:
        verdict = (
            f"{report.drifted_feature_count} of {len(report.features)} features drifted; "
            f"max PSI {_number(report.max_psi)}."
        )
    top = axis_top(report)
    legend = (
        f'<p class="legend"><span style="background:{_BASELINE_COLOUR}"></span>training baseline'
        f'<span style="background:{_CURRENT_COLOUR}"></span>current window'
        f" · every chart shares one axis, 0 to {top:.0%} of rows</p>"
    )
    title = f"Drift report · {context.model_name} {context.model_version}"
    body = (
        f"<h1>{escape(title)}</h1><p><strong>{escape(verdict)}</strong></p>"
        f"{_context(report, context)}"
        f'<h2 id="overview">Overview</h2><p>Click a column header to sort.</p>'
        f"{_overview(ordered, thresholds)}{_notes(thresholds)}"
        f"<h2>Trend of this version</h2>{trend_svg(context.trend, report.psi_threshold)}"
        f"{legend}{_prediction_section(report.prediction, thresholds, top)}"
        + "".join(_feature_section(f, thresholds, top) for f in ordered)
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}<script>{_SORT_SCRIPT}</script></body></html>"
    )
