"""The model-runtime seam: how a loaded artifact predicts, whatever library runs it.

Callers hold a ``Predictor`` and get ``Scores`` back; which implementation serves a version is
named by its manifest (``artifact.format``) and looked up in ``sklambda.runtime.registry``.
"""

from sklambda.runtime.predictor import ModelRuntime, Predictor
from sklambda.runtime.registry import runtime_for
from sklambda.runtime.scores import Scores

__all__ = ["ModelRuntime", "Predictor", "Scores", "runtime_for"]
