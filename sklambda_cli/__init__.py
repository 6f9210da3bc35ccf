"""The `sklambda` command line, and `publish_model` for notebooks.

`publish_model` is imported on first use: it pulls in scikit-learn, which every other command
(and `sklambda --help`) would otherwise pay for at start.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sklambda_cli.publishing.publish import publish_model

__all__ = ["publish_model"]


def __getattr__(name: str) -> Any:
    if name == "publish_model":
        return importlib.import_module("sklambda_cli.publishing.publish").publish_model
    raise AttributeError(f"module 'sklambda_cli' has no attribute {name!r}")
