"""publish_model: a fitted estimator plus the data it learned from become a registry version.

The schema comes from the data, the task and classes from the estimator; the holdout metrics
and the drift baseline are measured on rows shaped exactly as serving shapes them, and the
artifact must load and predict in a fresh interpreter limited to the layer's packages.
"""

import copy
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from sklambda.errors import SklambdaError, TrainingDataError
from sklambda.monitoring.baseline_store import training_baseline
from sklambda.named_columns import names_selected, select_by_position
from sklambda.registry.manifest import (
    ARTIFACT_FILE,
    HoldoutInfo,
    Manifest,
    Task,
)
from sklambda.runtime.scikit_learn import SklearnPredictor, dump_artifact
from sklambda.schema import infer_schema
from sklambda.training.data import TrainingData
from sklambda.training.metrics import prediction_scores
from sklambda.training.onnx_export import export_onnx
from sklambda.training.train import draft_manifest, labels_of, write_bundle
from sklambda_cli.publishing.layer_modules import layer_modules
from sklambda_cli.publishing.tabular import to_training_data

CLEAN_LOAD_SCRIPT = Path(__file__).with_name("clean_load.py")
CLEAN_LOAD_SECONDS = 300
SAMPLE_ROWS = 5
_ABSENT = object()


class ModelRefusedError(SklambdaError):
    """The estimator cannot be served as it is; the message says why and what to do."""


@dataclass(frozen=True)
class Holdout:
    features: np.ndarray
    target: np.ndarray
    info: HoldoutInfo


def estimator_task(estimator: Any, requested: Task | None) -> Task:
    from sklearn.base import is_classifier, is_regressor

    found: Task | None = (
        "classification"
        if is_classifier(estimator)
        else "regression"
        if is_regressor(estimator)
        else None
    )
    if not callable(getattr(estimator, "predict", None)):
        raise ModelRefusedError(
            f"{type(estimator).__name__} has no predict method; publish the whole pipeline, "
            "ending in the estimator that predicts"
        )
    if found is None:
        found = "classification" if hasattr(estimator, "classes_") else requested
    if found == "classification" and not hasattr(estimator, "classes_"):
        raise ModelRefusedError(
            f"{type(estimator).__name__} has no classes_, so it cannot be served as a classifier"
        )
    if found is None:
        raise ModelRefusedError(
            f"cannot tell whether {type(estimator).__name__} classifies or regresses; "
            "pass task='classification' or 'regression' (--task)"
        )
    if requested is not None and requested != found:
        raise ModelRefusedError(f"--task {requested} contradicts the estimator, a {found} model")
    return found


def _check_fitted(estimator: Any) -> None:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(estimator)
    except NotFittedError:
        raise ModelRefusedError(
            f"{type(estimator).__name__} is not fitted; fit it before publishing"
        ) from None
    except TypeError as error:
        raise ModelRefusedError(f"not a scikit-learn estimator: {error}") from None


def align_columns(estimator: Any, data: TrainingData) -> tuple[TrainingData, list[str]]:
    """Order the data's columns as the estimator was fitted; extra columns are left out."""
    fitted = getattr(estimator, "feature_names_in_", None)
    if fitted is None:
        width = getattr(estimator, "n_features_in_", len(data.feature_names))
        if width != len(data.feature_names):
            raise ModelRefusedError(
                f"the estimator takes {width} features, the data has {len(data.feature_names)}"
            )
        if names_selected(estimator):
            raise ModelRefusedError("the estimator selects columns by name but has no names")
        return data, []
    wanted = [str(name) for name in fitted]
    missing = [name for name in wanted if name not in data.feature_names]
    if missing:
        raise ModelRefusedError(f"the data lacks columns the estimator was fitted on: {missing}")
    position = {name: index for index, name in enumerate(data.feature_names)}
    extra = [name for name in data.feature_names if name not in set(wanted)]
    notices = [f"left out column {name!r}: the estimator was not fitted on it" for name in extra]
    aligned = replace(
        data,
        feature_names=wanted,
        columns=[data.columns[position[name]] for name in wanted],
        boolean_features=frozenset(name for name in data.boolean_features if name in wanted),
    )
    return aligned, notices


def serving_copy(estimator: Any) -> Any:
    """The estimator as the runtime will hold it: name selections resolved to positions."""
    served = copy.deepcopy(estimator)
    select_by_position(served)
    return served


def split_holdout(data: TrainingData, task: Task, fraction: float, seed: int) -> Holdout:
    from sklearn.model_selection import train_test_split

    _, counts = np.unique(data.target, return_counts=True)
    stratify = data.target if task == "classification" and counts.min() >= 2 else None
    _, test_x, _, test_y = train_test_split(
        data.matrix(), data.target, test_size=fraction, random_state=seed, stratify=stratify
    )
    return Holdout(
        test_x,
        test_y,
        HoldoutInfo(
            source=f"{fraction:.0%} split of {data.source} (seed {seed}); "
            "the model may have been fitted on these rows",
            rows=len(test_y),
        ),
    )


def _json_value(value: Any) -> Any:
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def _sample_rows(
    schema_names: list[str], matrix: np.ndarray, booleans: frozenset[str]
) -> list[Any]:
    rows = []
    for row in matrix[:SAMPLE_ROWS]:
        item = {}
        for name, value in zip(schema_names, row, strict=True):
            value = _json_value(value)
            item[name] = bool(value) if name in booleans and value is not None else value
        rows.append(item)
    return rows


def check_loads_in_layer(artifact: Path, manifest: Manifest, rows: list[Any]) -> None:
    """Unpickle and predict in a fresh interpreter that can import only the layer's modules."""
    with tempfile.TemporaryDirectory() as work:
        request = Path(work) / "request.json"
        request.write_text(
            json.dumps(
                {
                    "artifact": str(artifact),
                    "schema": manifest.feature_schema.model_dump(mode="json"),
                    "rows": rows,
                    "allowed": sorted(layer_modules()),
                }
            )
        )
        done = subprocess.run(
            # -I: no user site, no PYTHONPATH, no script directory on sys.path.
            [sys.executable, "-I", str(CLEAN_LOAD_SCRIPT), str(request)],
            capture_output=True,
            text=True,
            timeout=CLEAN_LOAD_SECONDS,
            check=False,
            cwd=work,
        )
    lines = done.stdout.strip().splitlines()
    try:
        outcome = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        outcome = {}
    if "predictions" in outcome:
        return
    reason = outcome.get("error") or (done.stderr.strip().splitlines() or ["no output"])[-1]
    raise ModelRefusedError(f"the model does not load from the layer's packages alone: {reason}")


def _label_key(value: Any) -> Any:
    """A label as compared with the estimator's classes: 1, 1.0, "1" and True's text "True"
    from a CSV must meet the class the estimator holds, whatever type each side has."""
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return float(value)
    text = str(value)
    try:
        return float(text)
    except ValueError:
        return text


def as_estimator_labels(target: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """y expressed in the estimator's own class values (int 1 for a class fitted as 1.0 is the
    same label); labels it does not know are refused."""
    lookup: dict[Any, Any] = {}
    for label in classes.tolist():
        lookup.setdefault(_label_key(label), label)
    matched = [lookup.get(_label_key(value), _ABSENT) for value in target.tolist()]
    unknown = sorted(
        {str(value) for value, label in zip(target.tolist(), matched, strict=True)
         if label is _ABSENT}
    )  # fmt: skip
    if unknown:
        raise ModelRefusedError(
            f"y holds labels the estimator does not know: {unknown[:5]} "
            f"(its classes: {[str(label) for label in classes.tolist()][:10]})"
        )
    labels = np.empty(len(matched), dtype=classes.dtype if classes.dtype.kind != "U" else object)
    labels[:] = matched
    return labels


def _check_single_output(estimator: Any, task: Task) -> None:
    outputs = getattr(estimator, "n_outputs_", None)
    coefficients_shape: tuple[int, ...] = getattr(getattr(estimator, "coef_", None), "shape", ())
    multi = (isinstance(outputs, int) and outputs > 1) or (
        task == "regression" and len(coefficients_shape) == 2 and coefficients_shape[0] > 1
    )
    if multi:
        raise ModelRefusedError(
            f"{type(estimator).__name__} predicts several targets at once; sklambda serves one "
            "target per model: fit and publish one model per target column"
        )


def build_version(
    estimator: Any,
    data: TrainingData,
    directory: Path,
    *,
    model_name: str,
    task: Task | None = None,
    holdout: TrainingData | None = None,
    holdout_fraction: float = 0.2,
    seed: int = 0,
    artifact_bytes: bytes | None = None,
) -> tuple[Manifest, list[str]]:
    """Measure, check and write a bundle directory for a fitted estimator; returns the draft
    manifest and notices for the person publishing."""
    _check_fitted(estimator)
    task = estimator_task(estimator, task)
    data, notices = align_columns(estimator, data)
    schema = infer_schema(data.feature_names, data.columns, data.boolean_features)
    served = serving_copy(estimator)
    if holdout is not None:
        holdout, _ = align_columns(estimator, holdout)
        measured = Holdout(
            holdout.matrix(),
            holdout.target,
            HoldoutInfo(
                source=holdout.source, rows=holdout.rows, fingerprint=holdout.fingerprint()
            ),
        )
    else:
        measured = split_holdout(data, task, holdout_fraction, seed)
    classes = labels_of(estimator) if task == "classification" else None
    if classes is not None:
        data = replace(data, target=as_estimator_labels(data.target, estimator.classes_))
        measured = replace(
            measured, target=as_estimator_labels(measured.target, estimator.classes_)
        )
    _check_single_output(estimator, task)
    try:
        scores = SklearnPredictor(served, task).predict(measured.features)
        metrics = prediction_scores(task, measured.target, scores)
        predictions = scores.labels
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        raise ModelRefusedError(
            f"the estimator fails on rows shaped as serving shapes them: {error}"
        ) from None
    draft = draft_manifest(
        estimator,
        data,
        model_name=model_name,
        task=task,
        schema=schema,
        metrics=metrics,
        holdout=measured.info,
    )
    directory.mkdir(parents=True, exist_ok=True)
    artifact = directory / ARTIFACT_FILE
    if artifact_bytes is None:
        dump_artifact(estimator, artifact)
    else:
        artifact.write_bytes(artifact_bytes)
    rows = _sample_rows(schema.names, measured.features, data.boolean_features)
    check_loads_in_layer(artifact, draft, rows)
    baseline = training_baseline(draft, data.matrix(), predictions)
    # The copy that serves is the one converted: rows arrive by position, as it takes them.
    conversion = export_onnx(served, task, classes, schema, measured.features, directory)
    return write_bundle(directory, draft, baseline, conversion), notices


def publish_model(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    feature_names: list[str] | None = None,
    target: str = "target",
    task: Task | None = None,
    holdout: tuple[Any, Any] | None = None,
    holdout_fraction: float = 0.2,
    bucket: str | None = None,
    model_name: str | None = None,
    promote: bool = False,
    force: bool = False,
    registry: Any = None,
    source: str = "notebook",
    verbose: bool = True,
) -> Manifest:
    """Publish a fitted estimator with the data it was trained on; returns the stored manifest.

    X is a DataFrame or a 2-D array with `feature_names`; `holdout=(X_test, y_test)` gives the
    rows the metrics are measured on, otherwise `holdout_fraction` of X is used. The registry is
    s3://`bucket` (default $SKLAMBDA_BUCKET) under `model_name` (default $SKLAMBDA_MODEL_NAME).
    """
    from sklambda_cli.publishing.registry_access import open_registry, publish_and_promote

    data = to_training_data(X, y, feature_names=feature_names, target_name=target, source=source)
    held = None
    if holdout is not None:
        held = to_training_data(
            holdout[0],
            holdout[1],
            feature_names=feature_names,
            target_name=target,
            source=f"{source} holdout",
        )
    registry = registry or open_registry(bucket, model_name)
    with tempfile.TemporaryDirectory() as work:
        _, notices = build_version(
            estimator,
            data,
            Path(work),
            model_name=registry.model_name,
            task=task,
            holdout=held,
            holdout_fraction=holdout_fraction,
        )
        manifest, lines = publish_and_promote(registry, Path(work), promote=promote, force=force)
    if verbose:
        for line in [*notices, *lines]:
            print(line)
    return manifest


__all__ = ["ModelRefusedError", "TrainingDataError", "build_version", "publish_model"]
