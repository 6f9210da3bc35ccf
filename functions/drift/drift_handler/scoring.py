"""Model quality on labelled production rows, under the names CloudWatch publishes."""

import numpy as np

from sklambda.registry.manifest import Task
from sklambda.training.metrics import classification_scores, regression_scores

# CloudWatch metric names of the shared scores; r2 is left to the training manifest.
METRIC_NAMES = {
    "accuracy": "Accuracy",
    "f1": "F1",
    "roc_auc": "RocAuc",
    "mae": "MAE",
    "rmse": "RMSE",
}


def score(
    task: Task, rows: list[tuple[str, str, list[float] | None]], classes: list[str]
) -> dict[str, float]:
    """``rows`` are (label, prediction, probabilities in ``classes`` order or None)."""
    if not rows:
        return {}
    labels = [label for label, _, _ in rows]
    predictions = [prediction for _, prediction, _ in rows]
    if task == "regression":
        scores = regression_scores([float(v) for v in labels], [float(v) for v in predictions])
    else:
        with_probabilities = all(probabilities is not None for _, _, probabilities in rows)
        matrix = np.array([p for _, _, p in rows], dtype=np.float64) if with_probabilities else None
        scores = classification_scores(labels, predictions, classes, matrix)
    return {METRIC_NAMES[name]: value for name, value in scores.items() if name in METRIC_NAMES}
