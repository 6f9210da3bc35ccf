"""Which runtime serves which artifact format.

A new runtime is one module implementing ``ModelRuntime`` plus one entry here. Entries import
their module only when a manifest asks for them, so a layer without scikit-learn can serve
another format and never import it.
"""

from collections.abc import Callable

from sklambda.errors import IncompatibleModelError
from sklambda.registry.manifest import SKLEARN_JOBLIB, Manifest
from sklambda.runtime.predictor import ModelRuntime


def _scikit_learn() -> ModelRuntime:
    from sklambda.runtime.scikit_learn import SklearnRuntime

    return SklearnRuntime()


RUNTIMES: dict[str, Callable[[], ModelRuntime]] = {
    SKLEARN_JOBLIB: _scikit_learn,
}


def runtime_for(manifest: Manifest) -> ModelRuntime:
    """The runtime for the manifest's artifact format, refusing a format this layer lacks."""
    factory = RUNTIMES.get(manifest.artifact.format)
    if factory is None:
        raise IncompatibleModelError(
            f"{manifest.model_name} {manifest.version} is a {manifest.artifact.format!r} "
            f"artifact; this layer serves {sorted(RUNTIMES)}"
        )
    return factory()
