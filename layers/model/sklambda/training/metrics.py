"""Model quality measures, shared by training, the promotion gate and ground-truth monitoring."""

from collections.abc import Sequence
from typing import Any

import numpy as np

from sklambda.registry.manifest import Task
from sklambda.runtime.scores import Scores


def classification_scores(
    truth: Sequence[Any] | np.ndarray,
    predictions: Sequence[Any] | np.ndarray,
    classes: Sequence[Any],
    probabilities: np.ndarray | None,
) -> dict[str, float]:
    """Accuracy, F1 (binary on the second class, macro otherwise) and ROC AUC when defined."""
    from sklearn import metrics

    truth = np.asarray(truth)
    guess = np.asarray(predictions)
    labels = list(classes)
    binary = len(labels) == 2
    scores = {
        "accuracy": float(metrics.accuracy_score(truth, guess)),
        "f1": float(
            metrics.f1_score(
                truth,
                guess,
                labels=labels,
                average="binary" if binary else "macro",
                pos_label=labels[1] if binary else 1,
                zero_division=0.0,
            )
        ),
    }
    present = set(truth.tolist())
    # AUC needs both outcomes present and every label among the model's classes.
    if probabilities is not None and len(present) > 1 and present <= set(labels):
        if binary:
            auc = metrics.roc_auc_score(truth == labels[1], probabilities[:, 1])
        else:
            auc = metrics.roc_auc_score(truth, probabilities, labels=labels, multi_class="ovr")
        scores["roc_auc"] = float(auc)
    return scores


def regression_scores(
    truth: Sequence[float] | np.ndarray, predictions: Sequence[float] | np.ndarray
) -> dict[str, float]:
    actual = np.asarray(truth, dtype=np.float64)
    errors = np.asarray(predictions, dtype=np.float64) - actual
    scores = {
        "mae": float(np.mean(np.abs(errors))),
        "rmse": float(np.sqrt(np.mean(errors**2))),
    }
    spread = float(np.sum((actual - actual.mean()) ** 2))
    if spread > 0:
        scores["r2"] = 1.0 - float(np.sum(errors**2)) / spread
    return scores


def prediction_scores(
    task: Task, truth: Sequence[Any] | np.ndarray, scores: Scores
) -> dict[str, float]:
    """The task's quality measures for a model's Scores against the true values."""
    if task == "regression":
        return regression_scores(truth, scores.labels)
    # Without probabilities the labels seen are the classes, in scikit-learn's sorted order.
    classes = scores.classes or np.unique(np.concatenate([np.asarray(truth), scores.labels]))
    return classification_scores(truth, scores.labels, list(classes), scores.probabilities)
