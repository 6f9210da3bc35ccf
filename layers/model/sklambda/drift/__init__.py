"""Drift statistics and the training baseline they compare against (numpy only, no I/O)."""

from sklambda.drift.baseline import (
    Baseline,
    CategoricalBaseline,
    FeatureKind,
    FeatureSpec,
    NumericBaseline,
    Task,
    build_baseline,
)
from sklambda.drift.evaluate import DriftReport, FeatureDrift, PredictionDrift, evaluate_drift
from sklambda.drift.statistics import (
    ChiSquareResult,
    KSResult,
    chi_square_goodness_of_fit,
    jensen_shannon_distance,
    ks_two_sample,
    population_stability_index,
)

__all__ = [
    "Baseline",
    "CategoricalBaseline",
    "ChiSquareResult",
    "DriftReport",
    "FeatureDrift",
    "FeatureKind",
    "FeatureSpec",
    "KSResult",
    "NumericBaseline",
    "PredictionDrift",
    "Task",
    "build_baseline",
    "chi_square_goodness_of_fit",
    "evaluate_drift",
    "jensen_shannon_distance",
    "ks_two_sample",
    "population_stability_index",
]
