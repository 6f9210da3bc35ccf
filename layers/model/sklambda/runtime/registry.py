"""Which runtime serves which artifact format.

A new runtime is one module implementing ``ModelRuntime`` plus one entry here. Entries import
their module only when a manifest asks for them, so a layer without scikit-learn can serve
another format and never import it.

The serving functions name a runtime in their settings (``INFERENCE_RUNTIME``): ``sklearn``
serves each version's own artifact format, ``onnx`` serves the ONNX graph converted at publish.
"""

from collections.abc import Callable

from sklambda.errors import IncompatibleModelError
from sklambda.registry.manifest import ONNX_FORMAT, SKLEARN_JOBLIB, Manifest
from sklambda.runtime.predictor import ModelRuntime


def _scikit_learn() -> ModelRuntime:
    from sklambda.runtime.scikit_learn import SklearnRuntime

    return SklearnRuntime()


def _onnx() -> ModelRuntime:
    from sklambda.runtime.onnx_runtime import OnnxRuntime

    return OnnxRuntime()


RUNTIMES: dict[str, Callable[[], ModelRuntime]] = {
    SKLEARN_JOBLIB: _scikit_learn,
    ONNX_FORMAT: _onnx,
}
# Values of the template's InferenceRuntime parameter.
SERVE_ARTIFACT = "sklearn"
SERVE_ONNX = "onnx"
INFERENCE_RUNTIMES = (SERVE_ARTIFACT, SERVE_ONNX)


def runtime_for(manifest: Manifest, inference_runtime: str = SERVE_ARTIFACT) -> ModelRuntime:
    """The runtime that serves the version under the deployment's inference runtime.

    Under ``onnx`` it is always ONNX Runtime, which refuses a version without a parity-passing
    graph; otherwise the runtime of the manifest's artifact format, refusing one this layer lacks.
    """
    if inference_runtime == SERVE_ONNX:
        return _onnx()
    factory = RUNTIMES.get(manifest.artifact.format)
    if factory is None:
        raise IncompatibleModelError(
            f"{manifest.model_name} {manifest.version} is a {manifest.artifact.format!r} "
            f"artifact; this layer serves {sorted(RUNTIMES)}"
        )
    return factory()


def check_servable(manifest: Manifest, inference_runtime: str) -> None:
    """Raise IncompatibleModelError, saying what to change, if the deployment cannot serve it.

    Promotion calls this first, so a champion the serving functions would refuse never moves.
    """
    runtime_for(manifest, inference_runtime).check(manifest)
