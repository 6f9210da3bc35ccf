"""Converting a fitted pipeline for ONNX Runtime at publish, gated on parity with the pickle.

A version that does not convert, or whose graph disagrees with the pickle on the holdout, is
still published: its manifest says why in one line and it has no ONNX artifact, so only the
scikit-learn runtime can serve it. skl2onnx, onnx and onnxruntime are needed where versions are
built (training, the CLI), never in a serving layer.
"""

import hashlib
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import numpy as np

from sklambda.registry.manifest import (
    ONNX_FILE,
    ONNX_FORMAT,
    ArtifactInfo,
    ClassLabel,
    OnnxConversion,
    OnnxParity,
    Task,
)
from sklambda.runtime.onnx_runtime import MATRIX_INPUT, column_input, predictor_for
from sklambda.runtime.scikit_learn import SklearnPredictor
from sklambda.runtime.scores import Scores
from sklambda.schema import FeatureSchema
from sklambda.training.onnx_fixes import missing_value_flags_as_int

# Probabilities are compared absolutely; regression values relative to max(1, |value|).
# float32 inputs and thresholds leave about 1e-7 per tree on probabilities (measured: below
# 2.5e-7 on every family tried); 1e-5 leaves headroom for hundreds of trees, while a value
# routed down another branch moves a probability by far more and fails.
PARITY_TOLERANCE = 1e-5
CONVERTER_PACKAGES = ("skl2onnx", "onnx", "onnxruntime")


def _versions() -> dict[str, str]:
    found = {}
    for package in CONVERTER_PACKAGES:
        try:
            found[package] = installed_version(package)
        except PackageNotFoundError:
            continue
    return found


def _initial_types(schema: FeatureSchema) -> list[tuple[str, Any]]:
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    mask = schema.categorical_mask()
    if not any(mask):
        return [(MATRIX_INPUT, FloatTensorType([None, len(mask)]))]
    return [
        (
            column_input(index),
            StringTensorType([None, 1]) if is_text else FloatTensorType([None, 1]),
        )
        for index, is_text in enumerate(mask)
    ]


def _probability_steps(estimator: Any) -> dict[int, dict[str, bool]]:
    """zipmap=False on every step that outputs probabilities: a plain matrix, not dicts."""
    steps = [step for _, step in getattr(estimator, "steps", [])] or [estimator]
    return {id(step): {"zipmap": False} for step in steps if hasattr(step, "predict_proba")}


def convert(estimator: Any, schema: FeatureSchema) -> bytes:
    """The pipeline as a serialised ONNX graph taking the rows as the schema lays them out."""
    from skl2onnx import convert_sklearn

    with missing_value_flags_as_int():
        model = convert_sklearn(
            estimator,
            initial_types=_initial_types(schema),
            options=_probability_steps(estimator) or None,
        )
    payload: bytes = model.SerializeToString()
    return payload


def measure_parity(task: Task, reference: Scores, candidate: Scores) -> OnnxParity:
    rows = len(reference)
    if task == "regression":
        expected = np.asarray(reference.labels, dtype=np.float64)
        difference = np.abs(np.asarray(candidate.labels, dtype=np.float64) - expected)
        relative = difference / np.maximum(1.0, np.abs(expected))
        worst_abs = float(np.max(difference, initial=0.0))
        worst_relative = float(np.max(relative, initial=0.0))
        mismatches = 0
        passed = bool(np.all(np.isfinite(relative))) and worst_relative <= PARITY_TOLERANCE
    else:
        mismatches = int(np.sum(reference.labels != candidate.labels))
        worst_abs = 0.0
        if reference.probabilities is not None:
            if candidate.probabilities is None:
                worst_abs = float("inf")
            else:
                gap = np.abs(candidate.probabilities - reference.probabilities)
                worst_abs = float(np.max(gap, initial=0.0)) if np.all(np.isfinite(gap)) else 1.0
        worst_relative = worst_abs
        passed = mismatches == 0 and worst_abs <= PARITY_TOLERANCE
    return OnnxParity(
        rows=rows,
        label_mismatches=mismatches,
        max_abs_difference=worst_abs,
        max_relative_difference=worst_relative,
        tolerance=PARITY_TOLERANCE,
        passed=passed,
    )


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:200]}" if text else type(error).__name__


def _describe(parity: OnnxParity, task: Task) -> str:
    gap = (
        f"max |Δvalue|/max(1,|value|) {parity.max_relative_difference:.1e}"
        if task == "regression"
        else f"{parity.label_mismatches} label mismatches, max |Δp| {parity.max_abs_difference:.1e}"
    )
    return f"{gap} on {parity.rows} holdout rows (tolerance {parity.tolerance:g})"


def export_onnx(
    estimator: Any,
    task: Task,
    classes: list[ClassLabel] | None,
    schema: FeatureSchema,
    holdout_features: np.ndarray,
    directory: Path,
) -> OnnxConversion:
    """Try to convert; write ``model.onnx`` into ``directory`` only when parity passes."""
    versions = _versions()
    missing = [package for package in CONVERTER_PACKAGES if package not in versions]
    if missing:
        return OnnxConversion(
            note=f"not converted: {', '.join(missing)} not installed where this version was built",
            converter=versions,
        )
    try:
        reference = SklearnPredictor(estimator, task).predict(holdout_features)
    # Whatever the estimator raises on its own holdout, parity cannot be judged: the version
    # publishes without a graph and serving meets the same fault with its own answer.
    except Exception as error:
        return OnnxConversion(
            note=f"not converted: scikit-learn could not predict the holdout: {_one_line(error)}",
            converter=versions,
        )
    try:
        payload = convert(estimator, schema)
        graph = predictor_for(payload, task, classes, schema)
        candidate = graph.predict(holdout_features)
    # A converter can fail on any user estimator in its own way; each is a reason to publish
    # without ONNX, never a reason not to publish.
    except Exception as error:
        return OnnxConversion(note=f"not converted: {_one_line(error)}", converter=versions)
    parity = measure_parity(task, reference, candidate)
    if not parity.passed:
        return OnnxConversion(
            parity=parity,
            note=f"converted but failed parity: {_describe(parity, task)}",
            converter=versions,
        )
    (directory / ONNX_FILE).write_bytes(payload)
    artifact = ArtifactInfo(
        file=ONNX_FILE,
        format=ONNX_FORMAT,
        sha256=hashlib.sha256(payload).hexdigest(),
        size_bytes=len(payload),
    )
    return OnnxConversion(
        artifact=artifact,
        parity=parity,
        note=f"converted, parity passed: {_describe(parity, task)}",
        converter=versions,
    )
