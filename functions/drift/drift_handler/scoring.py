"""Model quality on labelled production rows (scikit-learn's own metric functions)."""

from collections.abc import Sequence

import numpy as np

from sklambda.registry.manifest import Task


def classification_scores(
    labels: Sequence[str],
    predictions: Sequence[str],
    classes: Sequence[str],
    probabilities: np.ndarray | None,
) -> dict[str, float]:
    """Accuracy, F1 (binary on the second class, macro otherwise) and ROC AUC when defined."""
    from sklearn import metrics

    truth = np.asarray(labels, dtype=object)
    guess = np.asarray(predictions, dtype=object)
    binary = len(classes) == 2
    scores = {
        "Accuracy": float(metrics.accuracy_score(truth, guess)),
        "F1": float(
            metrics.f1_score(
                truth,
                guess,
                labels=list(classes),
                average="binary" if binary else "macro",
                pos_label=classes[1] if binary else 1,
                zero_division=0.0,
            )
        ),
    }
    if probabilities is not None and len(set(labels)) > 1 and set(labels) <= set(classes):
        # AUC needs both outcomes present and every label among the model's classes.
        if binary:
            auc = metrics.roc_auc_score(truth == classes[1], probabilities[:, 1])
        else:
            auc = metrics.roc_auc_score(
                truth, probabilities, labels=list(classes), multi_class="ovr"
            )
        scores["RocAuc"] = float(auc)
    return scores


def regression_scores(labels: Sequence[float], predictions: Sequence[float]) -> dict[str, float]:
    truth = np.asarray(labels, dtype=np.float64)
    guess = np.asarray(predictions, dtype=np.float64)
    errors = guess - truth
    return {"MAE": float(np.mean(np.abs(errors))), "RMSE": float(np.sqrt(np.mean(errors**2)))}


def score(
    task: Task, rows: list[tuple[str, str, list[float] | None]], classes: list[str]
) -> dict[str, float]:
    """``rows`` are (label, prediction, probabilities in ``classes`` order or None)."""
    if not rows:
        return {}
    labels = [label for label, _, _ in rows]
    predictions = [prediction for _, prediction, _ in rows]
    if task == "regression":
        return regression_scores([float(v) for v in labels], [float(v) for v in predictions])
    with_probabilities = all(probabilities is not None for _, _, probabilities in rows)
    matrix = np.array([p for _, _, p in rows], dtype=np.float64) if with_probabilities else None
    return classification_scores(labels, predictions, classes, matrix)
