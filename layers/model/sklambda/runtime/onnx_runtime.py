"""ONNX graphs converted at publish, served by ONNX Runtime without scikit-learn or scipy.

The graph takes one input: a float32 matrix when every feature is numeric, otherwise one
[rows, 1] tensor per feature (float32 or string) named after the feature's position, so a
ColumnTransformer's column indices keep their meaning.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sklambda.errors import IncompatibleModelError
from sklambda.registry.manifest import ONNX_FORMAT, ArtifactInfo, ClassLabel, Manifest, Task
from sklambda.runtime.scores import Scores
from sklambda.schema import FeatureSchema

MATRIX_INPUT = "features"
SWITCH_RUNTIME = "deploy with InferenceRuntime=sklearn to serve it"


def column_input(index: int) -> str:
    return f"column_{index}"


def _as_text(column: np.ndarray) -> np.ndarray:
    """Missing categories (None) become the empty string, which no encoder has seen."""
    return np.array(["" if value is None else str(value) for value in column], dtype=object)


class OnnxPredictor:
    """An ONNX graph (zipmap-free: labels plus a probability matrix) behind the Predictor."""

    runtime = "onnxruntime"

    def __init__(
        self,
        model: bytes | Path,
        task: Task,
        classes: tuple[ClassLabel, ...] | None,
        categorical: tuple[bool, ...],
    ) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        # One request's rows are few; a second thread costs more to wake than it saves, and
        # Lambda gives a function below 1,769 MB less than one vCPU.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        source = str(model) if isinstance(model, Path) else model
        self._session = onnxruntime.InferenceSession(
            source, options, providers=["CPUExecutionProvider"]
        )
        self.task: Task = task
        self._categorical = categorical
        outputs = [output.name for output in self._session.get_outputs()]
        self._probabilistic = task == "classification" and len(outputs) > 1 and bool(classes)
        self.classes: tuple[ClassLabel, ...] | None = classes if self._probabilistic else None
        self._outputs = outputs[:2] if self._probabilistic else outputs[:1]
        self._class_array = np.asarray(classes) if classes else None

    def _feeds(self, matrix: np.ndarray) -> dict[str, Any]:
        if not any(self._categorical):
            return {MATRIX_INPUT: np.asarray(matrix, dtype=np.float32)}
        return {
            column_input(index): (
                _as_text(matrix[:, index]) if categorical else matrix[:, index].astype(np.float32)
            ).reshape(-1, 1)
            for index, categorical in enumerate(self._categorical)
        }

    def predict(self, matrix: np.ndarray) -> Scores:
        results = self._session.run(self._outputs, self._feeds(matrix))
        if self.task == "regression":
            return Scores(np.asarray(results[0], dtype=np.float64).reshape(-1))
        labels = np.asarray(results[0]).reshape(-1)
        if self._class_array is not None and labels.dtype.kind in "iu":
            # Graph labels are int64 or str; give back the manifest's own label values.
            labels = labels.astype(self._class_array.dtype, copy=False)
        if not self._probabilistic:
            return Scores(labels)
        probabilities = np.asarray(results[1], dtype=np.float64)
        return Scores(labels, probabilities, self.classes)


def onnx_artifact(manifest: Manifest) -> ArtifactInfo | None:
    """The parity-passing ONNX artifact of a version, if it has one."""
    conversion = manifest.onnx
    if conversion is None or conversion.artifact is None:
        return None
    if conversion.parity is None or not conversion.parity.passed:
        return None
    return conversion.artifact


def predictor_for(
    model: bytes | Path, task: Task, classes: Sequence[ClassLabel] | None, schema: FeatureSchema
) -> OnnxPredictor:
    labels = tuple(classes) if classes else None
    return OnnxPredictor(model, task, labels, tuple(schema.categorical_mask()))


class OnnxRuntime:
    """Serves a version's ``model.onnx``; a version without a parity-passing one is refused."""

    name = ONNX_FORMAT

    def check(self, manifest: Manifest) -> None:
        if onnx_artifact(manifest) is None:
            reason = manifest.onnx.note if manifest.onnx else "it was published without conversion"
            raise IncompatibleModelError(
                f"{manifest.model_name} {manifest.version} has no parity-passing ONNX artifact "
                f"({reason}); the functions serve with ONNX Runtime: {SWITCH_RUNTIME}"
            )

    def artifact(self, manifest: Manifest) -> ArtifactInfo:
        self.check(manifest)
        found = onnx_artifact(manifest)
        assert found is not None
        return found

    def load(self, artifact: Path, manifest: Manifest) -> OnnxPredictor:
        return predictor_for(artifact, manifest.task, manifest.classes, manifest.feature_schema)
