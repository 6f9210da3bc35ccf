"""Time evaluate_drift on 1M rows x 30 numeric features against numpy histogramming alone.

Run from the repository root: PYTHONPATH=layers/model python benchmarks/drift.py
"""

import time

import numpy as np

from sklambda.drift import FeatureSpec, NumericBaseline, build_baseline, evaluate_drift

N_FEATURES = 30
TRAINING_ROWS = 100_000
CURRENT_ROWS = 1_000_000


def main() -> None:
    rng = np.random.default_rng(42)
    specs: list[FeatureSpec] = [(f"x{i}", "numeric") for i in range(N_FEATURES)]
    training = rng.normal(size=(TRAINING_ROWS, N_FEATURES))
    # A third of the features move so the report has real work to show.
    current = rng.normal(size=(CURRENT_ROWS, N_FEATURES))
    current[:, : N_FEATURES // 3] += 0.3

    started = time.perf_counter()
    baseline = build_baseline(specs, training, training[:, 0], task="regression")
    baseline_seconds = time.perf_counter() - started

    # Warm the imports and first calls of scipy so they are not timed.
    evaluate_drift(baseline, current[:20_000], current[:20_000, 0])

    started = time.perf_counter()
    report = evaluate_drift(baseline, current, current[:, 0])
    drift_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for index, feature in enumerate(baseline.features):
        assert isinstance(feature, NumericBaseline)
        edges = np.concatenate(([-np.inf], feature.bin_edges, [np.inf]))
        np.histogram(current[:, index], bins=edges)
    histogram_seconds = time.perf_counter() - started

    print(f"baseline build ({TRAINING_ROWS:,} x {N_FEATURES}): {baseline_seconds:.3f} s")
    print(f"drifted features: {report.drifted_feature_count} of {N_FEATURES}")
    print(f"evaluate_drift ({CURRENT_ROWS:,} x {N_FEATURES}, PSI+KS+JS): {drift_seconds:.3f} s")
    print(f"numpy histogram alone: {histogram_seconds:.3f} s")
    print(f"ratio evaluate_drift / histogram: {drift_seconds / histogram_seconds:.2f}")


if __name__ == "__main__":
    main()
