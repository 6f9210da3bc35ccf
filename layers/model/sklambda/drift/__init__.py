"""Drift statistics and the training baseline they compare against (numpy and scipy, no I/O)."""

from sklambda.drift.baseline import (
    Baseline,
    CategoricalBaseline,
    FeatureKind,
    FeatureSpec,
    NumericBaseline,
    Task,
    build_baseline,
)
from sklambda.drift.evaluate import (
    DriftReport,
    FeatureDrift,
    PredictionDrift,
    StatisticResult,
    evaluate_drift,
)
from sklambda.drift.registry import STATISTICS, DriftStatistic, Thresholds
from sklambda.drift.statistics import (
    ChiSquareResult,
    KSResult,
    chi_square_goodness_of_fit,
    jensen_shannon_distance,
    ks_two_sample,
    population_stability_index,
)

__all__ = [
    "STATISTICS",
    "Baseline",
    "CategoricalBaseline",
    "ChiSquareResult",
    "DriftReport",
    "DriftStatistic",
    "FeatureDrift",
    "FeatureKind",
    "FeatureSpec",
    "KSResult",
    "NumericBaseline",
    "PredictionDrift",
    "StatisticResult",
    "Task",
    "Thresholds",
    "build_baseline",
    "chi_square_goodness_of_fit",
    "evaluate_drift",
    "jensen_shannon_distance",
    "ks_two_sample",
    "population_stability_index",
]
