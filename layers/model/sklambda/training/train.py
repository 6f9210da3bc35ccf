"""Fit, evaluate on a holdout, and write the artifact plus a draft manifest to a directory."""

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from sklambda.drift import Baseline
from sklambda.errors import TrainingDataError
from sklambda.monitoring.baseline_store import training_baseline, write_baseline
from sklambda.registry.manifest import (
    ARTIFACT_FILE,
    MANIFEST_FILE,
    ArtifactInfo,
    HoldoutInfo,
    Manifest,
    RuntimeVersions,
    Task,
    TrainingDataInfo,
)
from sklambda.runtime import Predictor
from sklambda.runtime.scikit_learn import SklearnPredictor, dump_artifact
from sklambda.schema import FeatureSchema, infer_schema
from sklambda.training.data import TrainingData
from sklambda.training.estimators import make_estimator
from sklambda.training.metrics import prediction_scores
from sklambda.training.pipeline import build_pipeline

# Integer targets read as class codes only when they look like codes: 0/1 or 0..k-1 with few k.
MAX_CODED_CLASSES = 10


@dataclass(frozen=True)
class TrainedModel:
    estimator: Any
    manifest: Manifest
    holdout_features: np.ndarray
    holdout_target: np.ndarray
    holdout_predictions: np.ndarray
    # Distributions of the training features and holdout predictions, for drift monitoring.
    baseline: Baseline | None = None


@dataclass(frozen=True)
class TaskChoice:
    task: Task
    reason: str

    def describe(self, inferred: bool) -> str:
        if not inferred:
            return f"task: {self.task} (--task)"
        other = "regression" if self.task == "classification" else "classification"
        return f"task: {self.task} ({self.reason}); pass --task {other} to override"


def choose_task(target: np.ndarray) -> TaskChoice:
    """Text and booleans are classes; integers are classes only when they look like codes
    (two values, or 0..k-1 with k <= 10). A 1-15 rating or a count is a number to predict."""
    values = np.unique(target)
    if target.dtype.kind in "OUSb":
        plural = "class" if len(values) == 1 else "classes"
        return TaskChoice("classification", f"text target with {len(values)} {plural}")
    if target.dtype.kind in "iu":
        span = f"{len(values)} distinct integers {values.min()}..{values.max()}"
        if len(values) <= 2:
            return TaskChoice("classification", f"integer target with {len(values)} values")
        if len(values) <= MAX_CODED_CLASSES and values.tolist() == list(range(len(values))):
            return TaskChoice("classification", f"{span}, read as class codes")
        return TaskChoice("regression", f"{span}, read as a quantity")
    return TaskChoice("regression", "numeric target")


def infer_task(target: np.ndarray) -> Task:
    return choose_task(target).task


def check_target(task: Task, target: np.ndarray, holdout_fraction: float, name: str) -> None:
    """Refuse targets no model can learn from, or that the stratified split cannot share."""
    if task == "regression":
        if target.dtype.kind not in "fiu":
            raise TrainingDataError(f"regression needs a numeric target; {name!r} holds text")
        return
    values, counts = np.unique(target, return_counts=True)
    if len(values) < 2:
        raise TrainingDataError(
            f"target {name!r} has one class ({values[0]!r}) in all {len(target)} rows: "
            "there is nothing to learn"
        )
    scarce = [(value, count) for value, count in zip(values, counts, strict=True) if count < 2]
    if scarce:
        shown = ", ".join(f"{value!r} ({count} row)" for value, count in scarce[:5])
        raise TrainingDataError(
            f"target {name!r} has classes with too few rows for a stratified holdout: {shown}; "
            "each class needs at least 2 rows (drop or merge them)"
        )
    holdout = math.ceil(len(target) * holdout_fraction)
    if holdout < len(values):
        raise TrainingDataError(
            f"a {holdout_fraction:.0%} holdout is {holdout} rows, fewer than the "
            f"{len(values)} classes of {name!r}; gather more rows"
        )


def labels_of(estimator: Any) -> list[Any]:
    return [value.item() if hasattr(value, "item") else value for value in estimator.classes_]


def holdout_metrics(
    predictor: Predictor, features: np.ndarray, target: np.ndarray
) -> dict[str, float]:
    return prediction_scores(predictor.task, target, predictor.predict(features))


def _plain(value: Any) -> Any:
    """A JSON value for the manifest, or its repr when it has none."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if hasattr(value, "item"):
        return value.item()
    return repr(value)


def final_estimator(estimator: Any) -> Any:
    steps = getattr(estimator, "steps", None)
    return final_estimator(steps[-1][1]) if steps else estimator


def describe_estimator(estimator: Any) -> tuple[str, str, dict[str, Any]]:
    """(class name, module.class, its own parameters) of the estimator at the pipeline's end."""
    model = final_estimator(estimator)
    kind = type(model)
    return (
        kind.__name__,
        f"{kind.__module__}.{kind.__qualname__}",
        {name: _plain(value) for name, value in model.get_params(deep=False).items()},
    )


def _fit_early_stopping(
    model: Any, rows: int, classes: int, task: Task, chosen: dict[str, Any] | None
) -> None:
    """Early stopping holds out validation_fraction of the rows; with too few rows for that
    (each class at least twice) it cannot run, so the booster trains every round instead."""
    params = model.get_params()
    if params.get("early_stopping") is not True or "early_stopping" in (chosen or {}):
        return
    validation = rows * float(params.get("validation_fraction") or 0.1)
    needed = 2 * classes if task == "classification" else 10
    if validation < needed:
        model.set_params(early_stopping=False)


def draft_manifest(
    estimator: Any,
    data: TrainingData,
    *,
    model_name: str,
    task: Task,
    schema: FeatureSchema,
    metrics: dict[str, float],
    holdout: HoldoutInfo,
) -> Manifest:
    """The manifest of a fitted estimator before its artifact is written (write_bundle fills
    in the artifact's and baseline's sha256)."""
    name, qualified, params = describe_estimator(estimator)
    return Manifest(
        model_name=model_name,
        task=task,
        classes=labels_of(estimator) if task == "classification" else None,
        feature_schema=schema,
        metrics=metrics,
        holdout=holdout,
        training_data=TrainingDataInfo(
            source=data.source,
            fingerprint=data.fingerprint(),
            rows=data.rows,
            holdout_rows=holdout.rows,
            target=data.target_name,
        ),
        artifact=ArtifactInfo(sha256="0" * 64, size_bytes=1),
        runtime=RuntimeVersions.current(),
        estimator=name,
        estimator_class=qualified,
        hyperparameters=params,
    )


def train_model(
    data: TrainingData,
    *,
    model_name: str,
    task: Task | None = None,
    estimator: str | None = None,
    hyperparameters: dict[str, Any] | None = None,
    pipeline: Any = None,
    holdout_fraction: float = 0.2,
    seed: int = 0,
) -> TrainedModel:
    """Fit `pipeline` as given (an unfitted clone, e.g. the champion's), or else the estimator
    named by `estimator` with `hyperparameters`, wrapped to take the schema's columns."""
    task = task or infer_task(data.target)
    check_target(task, data.target, holdout_fraction, data.target_name)
    schema = infer_schema(data.feature_names, data.columns, data.boolean_features)
    features = data.matrix()
    stratify = data.target if task == "classification" else None
    train_x, test_x, train_y, test_y = train_test_split(
        features, data.target, test_size=holdout_fraction, random_state=seed, stratify=stratify
    )
    if pipeline is None:
        model = make_estimator(estimator, task, hyperparameters)
        _fit_early_stopping(model, len(train_y), len(np.unique(train_y)), task, hyperparameters)
        pipeline = build_pipeline(schema, model)
    pipeline.fit(train_x, train_y)
    holdout = SklearnPredictor(pipeline, task).predict(test_x)
    manifest = draft_manifest(
        pipeline,
        data,
        model_name=model_name,
        task=task,
        schema=schema,
        metrics=prediction_scores(task, test_y, holdout),
        holdout=HoldoutInfo(
            source=f"{holdout_fraction:.0%} split of {data.source} (seed {seed}), not fitted on",
            rows=len(test_y),
        ),
    )
    baseline = training_baseline(manifest, features, holdout.labels)
    return TrainedModel(pipeline, manifest, test_x, test_y, holdout.labels, baseline)


def save_bundle(trained: TrainedModel, directory: Path) -> Manifest:
    """Write model.joblib, baseline.json and manifest.json; the manifest records their sha256."""
    directory.mkdir(parents=True, exist_ok=True)
    dump_artifact(trained.estimator, directory / ARTIFACT_FILE)
    return write_bundle(directory, trained.manifest, trained.baseline)


def write_bundle(directory: Path, draft: Manifest, baseline: Baseline | None) -> Manifest:
    """Beside an artifact already in `directory`, write the baseline and the final manifest."""
    payload = (directory / ARTIFACT_FILE).read_bytes()
    manifest = draft.model_copy(
        update={
            "artifact": ArtifactInfo(
                sha256=hashlib.sha256(payload).hexdigest(), size_bytes=len(payload)
            ),
            "baseline": write_baseline(baseline, directory) if baseline else None,
        }
    )
    (directory / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=2))
    return manifest
