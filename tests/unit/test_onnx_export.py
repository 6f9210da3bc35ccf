"""Conversion at publish: which pipelines convert, and the parity gate that decides."""

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, StandardScaler

from sklambda.registry.manifest import ONNX_FILE
from sklambda.runtime.onnx_runtime import predictor_for
from sklambda.schema import infer_schema
from sklambda.training.onnx_export import PARITY_TOLERANCE, export_onnx

RNG = np.random.default_rng(7)
ROWS = 400


def _mixed() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    numbers = RNG.normal(size=(ROWS, 2))
    colour = RNG.choice(["red", "green", "blue"], ROWS)
    matrix = np.empty((ROWS, 3), dtype=object)
    matrix[:, :2] = numbers
    matrix[:, 2] = colour
    label = (numbers[:, 0] + (colour == "red") + RNG.normal(scale=0.3, size=ROWS)) > 0.5
    value = numbers[:, 0] * 3 + (colour == "red") * 2
    return matrix, label.astype(int), value


def _schema(matrix: np.ndarray):
    columns = [np.asarray(matrix[:, i], dtype=np.float64) for i in range(2)]
    return infer_schema(["a", "b", "colour"], [*columns, matrix[:, 2]])


def _columns(encoder, scale: bool = False) -> ColumnTransformer:
    numeric = StandardScaler() if scale else "passthrough"
    return ColumnTransformer(
        [("numeric", numeric, [0, 1]), ("categorical", encoder, [2])], sparse_threshold=0
    )


def test_upstream_still_writes_a_boolean_missing_flag_so_the_workaround_is_needed():
    """When this fails, skl2onnx has fixed the HistGradientBoosting bug: remove
    sklambda.training.onnx_fixes.missing_value_flags_as_int."""
    from skl2onnx import to_onnx

    features, target = load_breast_cancer(return_X_y=True)
    model = HistGradientBoostingClassifier(max_iter=3).fit(features, target)
    with pytest.raises(ValueError, match=r"nodes_missing_value_tracks_true|TreeEnsemble"):
        to_onnx(model, features[:1].astype(np.float32))


def test_the_default_model_converts_with_parity_and_the_graph_is_written(tmp_path, trained):
    manifest = trained.manifest
    conversion = export_onnx(
        trained.estimator,
        manifest.task,
        manifest.classes,
        manifest.feature_schema,
        trained.holdout_features,
        tmp_path,
    )
    assert conversion.artifact is not None, conversion.note
    assert conversion.parity is not None
    assert conversion.parity.passed
    assert conversion.parity.label_mismatches == 0
    assert conversion.parity.max_abs_difference <= PARITY_TOLERANCE
    assert (tmp_path / ONNX_FILE).stat().st_size == conversion.artifact.size_bytes
    assert conversion.note.startswith("converted, parity passed")
    assert set(conversion.converter) == {"skl2onnx", "onnx", "onnxruntime"}


@pytest.mark.parametrize(
    ("name", "pipeline"),
    [
        (
            "one-hot + scaler, logistic regression",
            Pipeline(
                [
                    ("columns", _columns(OneHotEncoder(handle_unknown="ignore"), scale=True)),
                    ("model", LogisticRegression(max_iter=500)),
                ]
            ),
        ),
        (
            "one-hot, gradient boosting",
            Pipeline(
                [
                    ("columns", _columns(OneHotEncoder(handle_unknown="ignore"))),
                    ("model", HistGradientBoostingClassifier(max_iter=20)),
                ]
            ),
        ),
    ],
)
def test_categorical_pipelines_with_one_hot_encoding_convert_with_parity(tmp_path, name, pipeline):
    matrix, label, _ = _mixed()
    pipeline.fit(matrix, label)
    conversion = export_onnx(pipeline, "classification", [0, 1], _schema(matrix), matrix, tmp_path)
    assert conversion.parity is not None, (name, conversion.note)
    assert conversion.parity.passed, (name, conversion.note)
    graph = predictor_for(
        (tmp_path / ONNX_FILE).read_bytes(), "classification", [0, 1], _schema(matrix)
    )
    unseen = matrix[:2].copy()
    unseen[:, 2] = [None, "purple"]
    assert graph.predict(unseen).labels.tolist() == pipeline.predict(unseen).tolist()


def test_a_one_hot_regressor_converts_within_relative_tolerance(tmp_path):
    matrix, _, value = _mixed()
    pipeline = Pipeline(
        [
            ("columns", _columns(OneHotEncoder(handle_unknown="ignore"))),
            ("model", RandomForestRegressor(n_estimators=10, random_state=0)),
        ]
    ).fit(matrix, value)
    conversion = export_onnx(pipeline, "regression", None, _schema(matrix), matrix, tmp_path)
    assert conversion.artifact is not None, conversion.note
    assert conversion.parity is not None
    assert conversion.parity.max_relative_difference < 1e-5


def test_native_categorical_boosting_converts_wrongly_and_parity_refuses_it(tmp_path):
    matrix, label, _ = _mixed()
    encoder = OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan
    )
    pipeline = Pipeline(
        [
            ("columns", _columns(encoder)),
            (
                "model",
                HistGradientBoostingClassifier(
                    max_iter=20, categorical_features=[False, False, True]
                ),
            ),
        ]
    ).fit(matrix, label)
    conversion = export_onnx(pipeline, "classification", [0, 1], _schema(matrix), matrix, tmp_path)
    assert conversion.artifact is None
    assert conversion.parity is not None
    assert not conversion.parity.passed
    assert conversion.note.startswith("converted but failed parity:")
    assert not (tmp_path / ONNX_FILE).exists()


def test_an_unconvertible_pipeline_says_why_in_one_line(tmp_path):
    features, target = load_breast_cancer(return_X_y=True)
    pipeline = make_pipeline(FunctionTransformer(np.log1p), LogisticRegression(max_iter=200))
    pipeline.fit(features, target)
    schema = infer_schema([f"f{i}" for i in range(30)], list(features.T))
    conversion = export_onnx(pipeline, "classification", [0, 1], schema, features, tmp_path)
    assert conversion.artifact is None
    assert conversion.parity is None
    assert conversion.note.startswith("not converted: ")
    assert "\n" not in conversion.note


def test_a_model_that_fails_on_its_own_holdout_publishes_without_a_graph(tmp_path):
    # Given a model refit on one column fewer than the schema it is published with
    features, target = load_breast_cancer(return_X_y=True)
    model = LogisticRegression(max_iter=200).fit(features[:, :-1], target)
    names = [f"f{i}" for i in range(features.shape[1])]
    schema = infer_schema(names, [features[:, i] for i in range(features.shape[1])])
    # When conversion is tried on the holdout
    conversion = export_onnx(model, "classification", [0, 1], schema, features[:50], tmp_path)
    # Then it says why in one line and writes no graph
    assert conversion.artifact is None
    assert conversion.note.startswith("not converted: scikit-learn could not predict the holdout")
    assert "\n" not in conversion.note
    assert not (tmp_path / ONNX_FILE).exists()
