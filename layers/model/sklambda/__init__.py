"""sklambda: serve, score, watch and retrain a scikit-learn model on AWS Lambda."""

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    """`sklambda.publish_model` for notebooks. It lives with the CLI, outside the layer, and is
    imported only when asked for: Lambda functions never touch it."""
    if name == "publish_model":
        try:
            module = importlib.import_module("sklambda_cli.publishing.publish")
        except ModuleNotFoundError as error:
            raise AttributeError(
                "sklambda.publish_model needs the sklambda package installed with pip "
                "(the Lambda layer does not carry it)"
            ) from error
        return module.publish_model
    raise AttributeError(f"module 'sklambda' has no attribute {name!r}")
