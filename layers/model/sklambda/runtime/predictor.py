"""The two protocols of the seam: a loaded model that predicts, and the runtime that loads it."""

from pathlib import Path
from typing import Protocol

import numpy as np

from sklambda.registry.manifest import ClassLabel, Manifest, Task
from sklambda.runtime.scores import Scores


class Predictor(Protocol):
    """A model ready to predict, whichever library executes it.

    ``predict`` takes a 2-D matrix whose columns follow the manifest's feature schema (float64
    when every feature is numeric, object otherwise, missing values as NaN/None); an
    implementation that needs another shape (a DataFrame with named columns, float32) builds
    it itself, so callers never change.
    """

    @property
    def runtime(self) -> str:
        """The name of the runtime serving this model, e.g. for telemetry and reports."""
        ...

    @property
    def task(self) -> Task: ...

    @property
    def classes(self) -> tuple[ClassLabel, ...] | None:
        """The probability columns' labels; None when ``predict`` gives no probabilities."""
        ...

    def predict(self, matrix: np.ndarray) -> Scores: ...


class ModelRuntime(Protocol):
    """Turns a verified artifact into a Predictor; one implementation per artifact format."""

    @property
    def name(self) -> str: ...

    def check(self, manifest: Manifest) -> None:
        """Raise IncompatibleModelError if this runtime cannot serve the version.

        Called before the artifact is downloaded, so a refusal costs no transfer.
        """
        ...

    def load(self, artifact: Path, manifest: Manifest) -> Predictor:
        """Load an artifact whose sha256 the caller has already checked against the manifest."""
        ...
