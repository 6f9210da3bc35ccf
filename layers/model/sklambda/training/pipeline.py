"""The default pipeline: gradient-boosted trees that take numeric and categorical columns as-is."""

from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

from sklambda.registry.manifest import Task
from sklambda.schema import FeatureSchema

DEFAULT_HYPERPARAMETERS: dict[str, Any] = {
    "learning_rate": 0.1,
    "max_iter": 200,
    "max_leaf_nodes": 31,
    "early_stopping": "auto",
    "random_state": 0,
}


def build_pipeline(schema: FeatureSchema, task: Task, hyperparameters: dict[str, Any]) -> Pipeline:
    """Histogram gradient boosting handles missing values itself and needs no scaling.

    Categorical columns are ordinal-encoded (unseen categories become missing) and declared
    categorical to the booster; numeric columns pass through untouched.
    """
    mask = schema.categorical_mask()
    numeric = [index for index, is_categorical in enumerate(mask) if not is_categorical]
    categorical = [index for index, is_categorical in enumerate(mask) if is_categorical]
    model_class = (
        HistGradientBoostingClassifier
        if task == "classification"
        else HistGradientBoostingRegressor
    )
    params = {**DEFAULT_HYPERPARAMETERS, **hyperparameters}
    if not categorical:
        return Pipeline([("model", model_class(**params))])
    encoder = OrdinalEncoder(
        handle_unknown="use_encoded_value",
        unknown_value=np.nan,
        encoded_missing_value=np.nan,
    )
    columns = ColumnTransformer(
        [("numeric", "passthrough", numeric), ("categorical", encoder, categorical)],
        sparse_threshold=0,
    )
    declared = [False] * len(numeric) + [True] * len(categorical)
    return Pipeline(
        [("columns", columns), ("model", model_class(categorical_features=declared, **params))]
    )
