"""Fit, evaluate on a holdout, and write the artifact plus a draft manifest to a directory."""

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from sklambda.drift import Baseline
from sklambda.monitoring.baseline_store import training_baseline, write_baseline
from sklambda.registry.manifest import (
    ARTIFACT_FILE,
    MANIFEST_FILE,
    ArtifactInfo,
    Manifest,
    RuntimeVersions,
    Task,
    TrainingDataInfo,
)
from sklambda.runtime import Predictor
from sklambda.runtime.scikit_learn import SklearnPredictor, dump_artifact
from sklambda.schema import infer_schema
from sklambda.training.data import TrainingData
from sklambda.training.metrics import prediction_scores
from sklambda.training.pipeline import DEFAULT_HYPERPARAMETERS, build_pipeline

MAX_CLASSES_FOR_INTEGER_TARGET = 20


@dataclass(frozen=True)
class TrainedModel:
    estimator: Any
    manifest: Manifest
    holdout_features: np.ndarray
    holdout_target: np.ndarray
    holdout_predictions: np.ndarray
    # Distributions of the training features and holdout predictions, for drift monitoring.
    baseline: Baseline | None = None


def infer_task(target: np.ndarray) -> Task:
    if target.dtype.kind in "OUSb":
        return "classification"
    if target.dtype.kind in "iu" and len(np.unique(target)) <= MAX_CLASSES_FOR_INTEGER_TARGET:
        return "classification"
    return "regression"


def holdout_metrics(
    predictor: Predictor, features: np.ndarray, target: np.ndarray
) -> dict[str, float]:
    return prediction_scores(predictor.task, target, predictor.predict(features))


def train_model(
    data: TrainingData,
    *,
    model_name: str,
    task: Task | None = None,
    hyperparameters: dict[str, Any] | None = None,
    holdout_fraction: float = 0.2,
    seed: int = 0,
) -> TrainedModel:
    task = task or infer_task(data.target)
    schema = infer_schema(data.feature_names, data.columns)
    features = data.matrix()
    stratify = data.target if task == "classification" else None
    train_x, test_x, train_y, test_y = train_test_split(
        features, data.target, test_size=holdout_fraction, random_state=seed, stratify=stratify
    )
    params = {**DEFAULT_HYPERPARAMETERS, **(hyperparameters or {})}
    estimator = build_pipeline(schema, task, params)
    estimator.fit(train_x, train_y)
    predictor = SklearnPredictor(estimator, task)
    holdout = predictor.predict(test_x)
    classes = (
        [value.item() if hasattr(value, "item") else value for value in estimator.classes_]
        if task == "classification"
        else None
    )
    manifest = Manifest(
        model_name=model_name,
        task=task,
        classes=classes,
        feature_schema=schema,
        metrics=prediction_scores(task, test_y, holdout),
        training_data=TrainingDataInfo(
            source=data.source,
            fingerprint=data.fingerprint(),
            rows=data.rows,
            holdout_rows=len(test_y),
            target=data.target_name,
        ),
        # Filled in by save_bundle once the artifact's bytes exist.
        artifact=ArtifactInfo(sha256="0" * 64, size_bytes=1),
        runtime=RuntimeVersions.current(),
        estimator=type(estimator.steps[-1][1]).__name__,
        hyperparameters=params,
    )
    baseline = training_baseline(manifest, features, holdout.labels)
    return TrainedModel(estimator, manifest, test_x, test_y, holdout.labels, baseline)


def save_bundle(trained: TrainedModel, directory: Path) -> Manifest:
    """Write model.joblib, baseline.json and manifest.json; the manifest records their sha256."""
    directory.mkdir(parents=True, exist_ok=True)
    artifact = directory / ARTIFACT_FILE
    dump_artifact(trained.estimator, artifact)
    payload = artifact.read_bytes()
    manifest = trained.manifest.model_copy(
        update={
            "artifact": ArtifactInfo(
                sha256=hashlib.sha256(payload).hexdigest(), size_bytes=len(payload)
            ),
            "baseline": write_baseline(trained.baseline, directory) if trained.baseline else None,
        }
    )
    (directory / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=2))
    return manifest
