"""A self-contained HTML drift report: one inline SVG histogram per feature, drifted first.

No script and no external resource, so the file opens anywhere, offline, from S3 or a mail.
"""

from datetime import datetime
from html import escape

from sklambda.drift import DriftReport, FeatureDrift, PredictionDrift

_BAR_AREA_HEIGHT = 120
_CHART_WIDTH = 560
_LABEL_HEIGHT = 60
_BASELINE_COLOUR = "#9aa5b1"
_CURRENT_COLOUR = "#d9480f"
_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2933;max-width:70rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin:0 0 .3rem}
section{border:1px solid #d2d6dc;border-radius:6px;padding:1rem;margin:1rem 0}
section.drifted{border-color:#d9480f;background:#fff8f3}
table{border-collapse:collapse}td,th{padding:.15rem .6rem;text-align:left}
.badge{display:inline-block;padding:0 .4rem;border-radius:4px;font-size:.8rem;color:#fff}
.yes{background:#d9480f}.no{background:#2f9e44}.na{background:#868e96}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem}
"""


def histogram_svg(
    title: str, labels: list[str], baseline: list[float], current: list[float] | None
) -> str:
    """Paired bars per bin: the training baseline and the current window, as shares."""
    bins = max(len(labels), 1)
    slot = _CHART_WIDTH / bins
    bar = slot * 0.4
    tallest = max([*baseline, *(current or []), 1e-9])
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" width="{_CHART_WIDTH}" '
        f'height="{_BAR_AREA_HEIGHT + _LABEL_HEIGHT}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, label in enumerate(labels):
        left = index * slot + slot * 0.1
        series = [(baseline, _BASELINE_COLOUR, "baseline")]
        if current is not None:
            series.append((current, _CURRENT_COLOUR, "current"))
        for offset, (values, colour, name) in enumerate(series):
            share = values[index] if index < len(values) else 0.0
            height = _BAR_AREA_HEIGHT * share / tallest
            parts.append(
                f'<rect x="{left + offset * bar:.1f}" y="{_BAR_AREA_HEIGHT - height:.1f}" '
                f'width="{bar:.1f}" height="{height:.1f}" fill="{colour}">'
                f"<title>{escape(label)} {name}: {share:.1%}</title></rect>"
            )
        middle = index * slot + slot / 2
        parts.append(
            f'<text x="{middle:.1f}" y="{_BAR_AREA_HEIGHT + 12}" font-size="9" '
            f'text-anchor="end" transform="rotate(-35 {middle:.1f} {_BAR_AREA_HEIGHT + 12})">'
            f"{escape(label[:18])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _number(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}g}"


def _badge(drifted: bool | None) -> str:
    if drifted is None:
        return '<span class="badge na">not scored</span>'
    return (
        '<span class="badge yes">drifted</span>'
        if drifted
        else '<span class="badge no">stable</span>'
    )


def _feature_section(feature: FeatureDrift) -> str:
    rows = [
        ("PSI", _number(feature.psi)),
        ("Jensen-Shannon distance", _number(feature.js_distance)),
        ("values compared", str(feature.values_compared)),
        (
            "missing rate (baseline → current)",
            f"{feature.baseline_missing_rate:.2%} → "
            + ("n/a" if feature.missing_rate is None else f"{feature.missing_rate:.2%}"),
        ),
    ]
    if feature.kind == "numeric":
        rows += [
            ("KS statistic", _number(feature.ks_statistic)),
            ("KS p-value", _number(feature.ks_p_value)),
        ]
    else:
        rows += [
            ("chi-square", _number(feature.chi2_statistic)),
            ("chi-square p-value", _number(feature.chi2_p_value)),
        ]
    table = "".join(f"<tr><th>{escape(name)}</th><td>{value}</td></tr>" for name, value in rows)
    chart = histogram_svg(
        feature.name, feature.bin_labels, feature.baseline_proportions, feature.current_proportions
    )
    css = "feature drifted" if feature.drifted else "feature"
    return (
        f'<section class="{css}" data-feature="{escape(feature.name)}">'
        f"<h2>{escape(feature.name)} <small>({feature.kind})</small> {_badge(feature.drifted)}</h2>"
        f"{chart}<table>{table}</table></section>"
    )


def _prediction_section(prediction: PredictionDrift) -> str:
    chart = histogram_svg(
        "model predictions",
        prediction.bin_labels,
        prediction.baseline_proportions,
        prediction.current_proportions,
    )
    return (
        f'<section class="{"prediction drifted" if prediction.drifted else "prediction"}">'
        f"<h2>Predictions {_badge(prediction.drifted)}</h2>{chart}"
        f"<table><tr><th>PSI</th><td>{_number(prediction.psi)}</td></tr>"
        f"<tr><th>Jensen-Shannon distance</th><td>{_number(prediction.js_distance)}</td></tr>"
        "</table></section>"
    )


def render_html(
    report: DriftReport, *, model_name: str, model_version: str, window: tuple[datetime, datetime]
) -> str:
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
    summary = (
        f"<p>{escape(verdict)}</p><p>Window {window[0]:%Y-%m-%d %H:%M:%S} to "
        f"{window[1]:%Y-%m-%d %H:%M:%S} UTC, {report.sample_size} rows. Thresholds: PSI ≥ "
        f"{report.psi_threshold:g} or test p-value &lt; {report.p_value_threshold:g}.</p>"
        f'<p class="legend"><span style="background:{_BASELINE_COLOUR}"></span>training baseline'
        f'<span style="background:{_CURRENT_COLOUR}"></span>current window</p>'
    )
    body = _prediction_section(report.prediction) + "".join(_feature_section(f) for f in ordered)
    title = f"Drift report · {model_name} {model_version}"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{summary}{body}</body></html>"
    )
