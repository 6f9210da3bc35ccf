"""scikit-learn estimators pickled with joblib: the one place the layer unpickles or pickles."""

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from sklambda.errors import CorruptModelError, IncompatibleModelError
from sklambda.named_columns import select_by_position
from sklambda.registry.manifest import (
    SKLEARN_JOBLIB,
    ArtifactInfo,
    ClassLabel,
    Manifest,
    RuntimeVersions,
    Task,
)
from sklambda.runtime.scores import Scores

# Final estimators whose predict() is the class of highest probability, so one predict_proba
# call gives both; any other classifier is asked for both, as its predict may differ.
_LABEL_IS_ARGMAX = frozenset(
    {
        "HistGradientBoostingClassifier",
        "RandomForestClassifier",
        "ExtraTreesClassifier",
        "GradientBoostingClassifier",
        "DecisionTreeClassifier",
        "ExtraTreeClassifier",
        "LogisticRegression",
    }
)


def check_compatible(manifest: Manifest, installed: RuntimeVersions) -> None:
    """A pickle from another scikit-learn release may load and then predict wrongly."""
    if manifest.runtime.scikit_learn != installed.scikit_learn:
        raise IncompatibleModelError(
            f"{manifest.model_name} {manifest.version} was trained with scikit-learn "
            f"{manifest.runtime.scikit_learn}, this runtime ships {installed.scikit_learn}; "
            "retrain it with the layer's pinned version"
        )


@cache
def _installed() -> RuntimeVersions:
    return RuntimeVersions.current()


def dump_artifact(estimator: Any, path: Path) -> None:
    import joblib

    joblib.dump(estimator, path)


def _label_is_argmax(estimator: Any) -> bool:
    """True for scikit-learn's own classes named above, not for subclasses defined elsewhere."""
    final = type(getattr(estimator, "_final_estimator", estimator))
    return final.__module__.partition(".")[0] == "sklearn" and final.__name__ in _LABEL_IS_ARGMAX


class SklearnPredictor:
    """A fitted estimator or Pipeline behind the Predictor protocol."""

    runtime = "scikit-learn"

    def __init__(self, estimator: Any, task: Task) -> None:
        self.estimator = estimator
        self.task: Task = task
        probabilistic = task == "classification" and hasattr(estimator, "predict_proba")
        self._classes = np.asarray(estimator.classes_) if probabilistic else None
        self.classes: tuple[ClassLabel, ...] | None = (
            tuple(self._classes.tolist()) if self._classes is not None else None
        )
        self._label_is_argmax = _label_is_argmax(estimator)

    def predict(self, matrix: np.ndarray) -> Scores:
        if self._classes is None:
            return Scores(np.asarray(self.estimator.predict(matrix)))
        probabilities = self.estimator.predict_proba(matrix)
        if self._label_is_argmax:
            # What predict() computes for these estimators; one pass instead of two.
            labels = self._classes[np.argmax(probabilities, axis=1)]
        else:
            labels = np.asarray(self.estimator.predict(matrix))
        return Scores(labels, probabilities, self.classes)


class SklearnRuntime:
    """Serves ``sklearn-joblib`` artifacts with the scikit-learn release they were pickled by."""

    name = SKLEARN_JOBLIB

    def check(self, manifest: Manifest) -> None:
        check_compatible(manifest, _installed())

    def artifact(self, manifest: Manifest) -> ArtifactInfo:
        return manifest.artifact

    def load(self, artifact: Path, manifest: Manifest) -> SklearnPredictor:
        import joblib

        what = f"the artifact of {manifest.model_name} {manifest.version}"
        try:
            estimator = joblib.load(artifact)
        except ModuleNotFoundError as error:
            raise CorruptModelError(
                f"{what} needs the module {error.name!r}, which this layer does not ship"
            ) from error
        # Unpickling raises whatever the bytes make it raise.
        except Exception as error:
            raise CorruptModelError(
                f"{what} matches its sha256 but does not unpickle: {type(error).__name__}: {error}"
            ) from error
        if not callable(getattr(estimator, "predict", None)):
            raise CorruptModelError(
                f"{what} unpickles to a {type(estimator).__name__}, which cannot predict"
            )
        try:
            # Pipelines fitted on a DataFrame are served rows as arrays in the schema's order.
            select_by_position(estimator)
            return SklearnPredictor(estimator, manifest.task)
        except AttributeError as error:
            raise CorruptModelError(
                f"{what} unpickles to a {type(estimator).__name__}, not a fitted estimator "
                f"for {manifest.task}: {error}"
            ) from error
