"""Name-based column selections are served by position, whatever holds the ColumnTransformer."""

import copy

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    StackingClassifier,
    VotingClassifier,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklambda.named_columns import names_selected, select_by_position


def _frame(rows: int = 120) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {"plan": rng.choice(["basic", "pro"], rows), "spend": rng.gamma(2.0, 50.0, rows)}
    )
    return frame, np.where((frame.plan == "pro") | (frame.spend > 120), "yes", "no")


def _columns() -> ColumnTransformer:
    return ColumnTransformer(
        [("text", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                OneHotEncoder(handle_unknown="ignore")), ["plan"]),
         ("numbers", StandardScaler(), ["spend"])]
    )  # fmt: skip


@pytest.mark.parametrize(
    "final",
    [
        lambda: GradientBoostingClassifier(n_estimators=5, random_state=0),
        lambda: StackingClassifier(
            [("a", LogisticRegression()), ("b", GradientBoostingClassifier(n_estimators=3))]
        ),
        lambda: VotingClassifier([("a", LogisticRegression())], voting="soft"),
    ],
    ids=["gradient-boosting", "stacking", "voting"],
)
def test_pipelines_ending_in_ensembles_serve_arrays(final):
    frame, label = _frame()
    model = make_pipeline(_columns(), final()).fit(frame, label)
    served = copy.deepcopy(model)

    assert select_by_position(served) == 2
    assert names_selected(served) == []
    assert np.array_equal(
        served.predict_proba(frame.to_numpy(dtype=object)), model.predict_proba(frame)
    )


def test_a_bare_gradient_boosting_regressor_is_walked_without_error():
    # Its trees sit in a 2-D object ndarray, whose truth value raises.
    features = np.random.default_rng(0).normal(size=(50, 3))
    model = GradientBoostingRegressor(n_estimators=4).fit(features, features[:, 0] - 5)
    assert select_by_position(copy.deepcopy(model)) == 0
    assert names_selected(model) == []
