"""Write a drift report for 30 generated features (a third of them shifted) to an HTML file.

Used for the screenshots in docs/ and to look at the report without deploying:
    python scripts/sample_drift_report.py /tmp/drift.html
"""

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers" / "model"), str(ROOT / "functions" / "drift")]

from drift_handler.adapters.report_store import PastRun  # noqa: E402
from drift_handler.html_report import ReportContext, render_html  # noqa: E402
from sklambda.drift import FeatureSpec, build_baseline, evaluate_drift  # noqa: E402

FEATURES = 30
TRAINING_ROWS = 20_000
CURRENT_ROWS = 5_000


def _columns(rng: np.random.Generator, rows: int, shifted: bool) -> np.ndarray:
    matrix = np.empty((rows, FEATURES), dtype=object)
    for index in range(FEATURES):
        moved = shifted and index % 3 == 0
        if index % 5 == 4:
            shares = [0.5, 0.3, 0.15, 0.05] if not moved else [0.3, 0.3, 0.2, 0.2]
            matrix[:, index] = rng.choice(["web", "mobile", "store", "partner"], rows, p=shares)
        else:
            matrix[:, index] = rng.lognormal(3 + (0.4 if moved else 0.0), 0.6, rows)
    return matrix


def main(target: Path) -> None:
    rng = np.random.default_rng(7)
    specs: list[FeatureSpec] = [
        (f"channel_{i}", "categorical") if i % 5 == 4 else (f"amount_{i}", "numeric")
        for i in range(FEATURES)
    ]
    training = _columns(rng, TRAINING_ROWS, shifted=False)
    baseline = build_baseline(
        specs,
        training,
        rng.choice(["approve", "review", "reject"], TRAINING_ROWS, p=[0.7, 0.2, 0.1]),
        task="classification",
    )
    report = evaluate_drift(
        baseline,
        _columns(rng, CURRENT_ROWS, shifted=True),
        rng.choice(["approve", "review", "reject"], CURRENT_ROWS, p=[0.6, 0.25, 0.15]),
    )
    end = datetime(2030, 3, 14, 12, tzinfo=UTC)
    past = [
        PastRun(f"{end - timedelta(hours=hours):%Y%m%dT%H%M%SZ}", psi, share)
        for hours, psi, share in [
            (6, 0.04, 0.0),
            (5, 0.05, 0.0),
            (4, 0.07, 0.03),
            (3, 0.12, 0.07),
            (2, 0.19, 0.1),
            (1, 0.31, 0.2),
        ]
    ]
    run_id = f"{end:%Y%m%dT%H%M%SZ}"
    context = ReportContext(
        model_name="loan-approval",
        model_version="20300301T090000Z-3f2a9c1d",
        window=(end - timedelta(hours=1), end),
        baseline_rows=TRAINING_ROWS,
        baseline_created_at=datetime(2030, 3, 1, 9, tzinfo=UTC),
        json_href=f"{run_id}.json",
        previous_href=f"{past[-1].run_id}.html",
        manifest_uri="s3://sklambda-models/models/loan-approval/20300301T090000Z-3f2a9c1d/manifest.json",
        trend=[*past, PastRun(run_id, report.max_psi, report.drifted_fraction)],
    )
    target.write_text(render_html(report, context), encoding="utf-8")
    print(
        f"{target}: {target.stat().st_size / 1024:.0f} KiB, "
        f"{report.drifted_feature_count} of {FEATURES} drifted"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "drift-report.html"))
