"""The pipeline around the chosen estimator: how each column kind reaches it.

Text columns can hold many values (300 towns). Rare values are grouped, not target-encoded:
the frequent values keep their own meaning, nothing about the label leaks into the features,
and the encoder stays inside the pickled pipeline, so serving needs no extra step.
"""

from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from sklambda.schema import FeatureSchema

# The booster takes at most max_bins (255 by default) categories per column.
BOOSTER_MAX_BINS = 255
# Beyond this many one-hot columns per text feature, rare values share one column.
MAX_ONE_HOT_CATEGORIES = 50
MISSING_CATEGORY = "(missing)"


def _is_booster(estimator: Any) -> bool:
    return type(estimator).__name__.startswith("HistGradientBoosting")


def _booster_pipeline(schema: FeatureSchema, estimator: Any) -> Pipeline:
    """Histogram gradient boosting handles missing values and categories itself.

    Categorical columns are ordinal-encoded, values beyond max_bins grouped as infrequent,
    unseen ones treated as missing, and declared categorical to the booster.
    """
    mask = schema.categorical_mask()
    numeric = [index for index, is_categorical in enumerate(mask) if not is_categorical]
    categorical = [index for index, is_categorical in enumerate(mask) if is_categorical]
    if not categorical:
        return Pipeline([("model", estimator)])
    encoder = OrdinalEncoder(
        handle_unknown="use_encoded_value",
        unknown_value=np.nan,
        encoded_missing_value=np.nan,
        max_categories=int(estimator.get_params().get("max_bins", BOOSTER_MAX_BINS)),
    )
    columns = ColumnTransformer(
        [("numeric", "passthrough", numeric), ("categorical", encoder, categorical)],
        sparse_threshold=0,
    )
    estimator.set_params(categorical_features=[False] * len(numeric) + [True] * len(categorical))
    return Pipeline([("columns", columns), ("model", estimator)])


def _general_pipeline(schema: FeatureSchema, estimator: Any) -> Pipeline:
    """Any other estimator: numbers imputed and scaled, text one-hot with rare values grouped."""
    mask = schema.categorical_mask()
    numeric = [index for index, is_categorical in enumerate(mask) if not is_categorical]
    categorical = [index for index, is_categorical in enumerate(mask) if is_categorical]
    parts: list[tuple[str, Any, list[int]]] = []
    if numeric:
        parts.append(
            (
                "numeric",
                make_pipeline(
                    SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler()
                ),
                numeric,
            )
        )
    if categorical:
        parts.append(
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(
                        missing_values=None, strategy="constant", fill_value=MISSING_CATEGORY
                    ),
                    OneHotEncoder(
                        handle_unknown="infrequent_if_exist",
                        max_categories=MAX_ONE_HOT_CATEGORIES,
                        sparse_output=False,
                    ),
                ),
                categorical,
            )
        )
    return Pipeline(
        [("columns", ColumnTransformer(parts, sparse_threshold=0)), ("model", estimator)]
    )


def build_pipeline(schema: FeatureSchema, estimator: Any) -> Any:
    """Wrap a bare estimator so it takes the schema's columns; a Pipeline is used as given."""
    if isinstance(estimator, Pipeline):
        return estimator
    if _is_booster(estimator):
        return _booster_pipeline(schema, estimator)
    return _general_pipeline(schema, estimator)
