"""Estimators, pipelines and datasets no other test was written for, through the whole loop:
publish from a notebook, serve a row and refuse a bad one, batch-score a CSV, run drift."""

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC

import sklambda_cli
from tests.integration.byom.conftest import Scenario

MODEL_NAME = "sklambda-model"


def _customers(rows: int = 300) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "plan": rng.choice(["basic", "plus", "pro", None], rows),
            "region": rng.choice(["north", "south", "east"], rows),
            "age": np.where(rng.random(rows) < 0.1, np.nan, rng.integers(18, 80, rows)),
            "spend": rng.gamma(2.0, 50.0, rows).round(2),
        }
    )
    label = np.where((frame.plan == "pro") | (frame.spend > 120), "yes", "no")
    return frame, label


def _column_transformer_gradient_boosting():
    frame, label = _customers()
    text = make_pipeline(
        SimpleImputer(strategy="constant", fill_value="none"),
        OneHotEncoder(handle_unknown="ignore"),
    )
    numbers = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    columns = ColumnTransformer([("text", text, ["plan", "region"]),
                                 ("numbers", numbers, ["age", "spend"])])  # fmt: skip
    model = make_pipeline(columns, GradientBoostingClassifier(n_estimators=30, random_state=0))
    return model.fit(frame, label), frame, label


def _category_dtype():
    frame, label = _customers()
    frame = frame.assign(plan=frame.plan.astype("category"), region=frame.region.astype("category"))
    columns = ColumnTransformer(
        [("text", OneHotEncoder(handle_unknown="ignore"), ["plan", "region"])],
        remainder=make_pipeline(SimpleImputer(), StandardScaler()),
    )
    model = make_pipeline(columns, LogisticRegression(max_iter=500))
    return model.fit(frame, label), frame, label


def _bundled(name: str, estimator, **load):
    frame, target = getattr(datasets, f"load_{name}")(return_X_y=True, as_frame=True, **load)
    return estimator.fit(frame, target), frame, target


def _shifted_labels():
    frame, target = datasets.load_iris(return_X_y=True, as_frame=True)
    target = target + 3
    return LogisticRegression(max_iter=500).fit(frame, target), frame, target


def _numpy_only():
    features, target = datasets.load_wine(return_X_y=True)
    model = make_pipeline(StandardScaler(), SVC()).fit(features, target)
    names = [f"f{i}" for i in range(features.shape[1])]
    return model, pd.DataFrame(features, columns=names), target


def _wide():
    features, target = datasets.make_classification(
        n_samples=300, n_features=200, n_informative=20, random_state=0
    )
    frame = pd.DataFrame(features, columns=[f"x{i}" for i in range(200)])
    return LogisticRegression(max_iter=500).fit(frame, target), frame, target


def _negative_regression():
    features, target = datasets.make_regression(n_samples=300, n_features=8, random_state=0)
    target = target - 500
    frame = pd.DataFrame(features, columns=[f"m{i}" for i in range(8)])
    return GradientBoostingRegressor(random_state=0).fit(frame, target), frame, target


def _linnerud():
    frame, target = datasets.load_linnerud(return_X_y=True, as_frame=True)
    return Ridge().fit(frame, target), frame, target


def _boolean_labels():
    frame, target = datasets.load_breast_cancer(return_X_y=True, as_frame=True)
    frame = frame.iloc[:, :6]
    target = target == 1
    return make_pipeline(StandardScaler(), LogisticRegression()).fit(frame, target), frame, target


def _float_class_labels():
    frame, target = datasets.load_wine(return_X_y=True, as_frame=True)
    target = target.astype(float)
    return make_pipeline(StandardScaler(), LogisticRegression()).fit(frame, target), frame, target


MODELS = {
    "breast-cancer-boolean-labels": _boolean_labels,
    "wine-float-labels": _float_class_labels,
    "column-transformer-gb-yes-no": _column_transformer_gradient_boosting,
    "category-dtype": _category_dtype,
    "iris-knn": lambda: _bundled("iris", KNeighborsClassifier()),
    "wine-svc-no-proba": lambda: _bundled("wine", make_pipeline(StandardScaler(), SVC())),
    "digits": lambda: _bundled("digits", LogisticRegression(max_iter=200)),
    "iris-labels-3-4-5": _shifted_labels,
    "numpy-fitted-svc": _numpy_only,
    "make-classification-200": _wide,
    "make-regression-negative": _negative_regression,
    "diabetes-linear": lambda: _bundled("diabetes", LinearRegression()),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_unfamiliar_models_publish_serve_score_and_drift(scenario: Scenario, name):
    model, frame, target = MODELS[name]()
    with scenario.as_publisher():
        sklambda_cli.publish_model(
            model, frame, target, bucket=scenario.bucket, model_name=MODEL_NAME, promote=True,
            verbose=False, feature_names=list(frame.columns),
        )  # fmt: skip
    rows = frame.head(60).astype(object).where(frame.head(60).notna(), None).to_dict("records")
    status, body = scenario.predict(rows[:3])
    assert status == 200, body
    assert len(body["predictions"]) == 3
    status, refused = scenario.predict([{**rows[0], frame.columns[0]: [1]}], "bad")
    assert status == 422, refused
    run = scenario.batch("rows.csv", frame.head(20).to_csv(index=False))
    assert run["rows_scored"] == 20, run
    status, _ = scenario.predict(rows, "traffic")
    assert status == 200
    (version,) = scenario.drift()["versions"]
    assert version["insufficient_data"] is False, version
