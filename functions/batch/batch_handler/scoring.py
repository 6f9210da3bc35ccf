"""Predict for a parsed chunk with one model version, the same way the prediction API does."""

from typing import Any

import numpy as np

from batch_handler.rendering import Scores
from sklambda.registry.loader import LoadedModel


def classes_of(model: LoadedModel) -> list[Any] | None:
    if model.manifest.task == "classification" and hasattr(model.estimator, "predict_proba"):
        return list(model.estimator.classes_.tolist())
    return None


def score(model: LoadedModel, features: np.ndarray) -> Scores:
    estimator = model.estimator
    if classes_of(model) is not None:
        probabilities = estimator.predict_proba(features)
        # argmax over probabilities is what predict() does; one pass instead of two.
        return Scores(
            np.argmax(probabilities, axis=1), probabilities, classes_of(model), model.version
        )
    return Scores(np.asarray(estimator.predict(features)), None, None, model.version)
