"""sklambda: serve, score, watch and retrain a scikit-learn model on AWS Lambda."""

from typing import Any


def __getattr__(name: str) -> Any:
    # Imported on first use: functions import the package without paying for scikit-learn.
    if name == "publish_model":
        from sklambda.publishing.publish import publish_model

        return publish_model
    raise AttributeError(f"module 'sklambda' has no attribute {name!r}")
