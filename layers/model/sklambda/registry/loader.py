"""Loads the champion once per execution environment and follows promotions on a TTL."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from sklambda.errors import (
    CorruptModelError,
    IncompatibleModelError,
    IntegrityError,
    ModelNotFoundError,
    ModelUnavailableError,
    UntrustedModelError,
)
from sklambda.observability import logger
from sklambda.registry.manifest import Manifest
from sklambda.registry.signing import ManifestVerifier
from sklambda.registry.store import CHAMPION, ModelRegistry
from sklambda.runtime import Predictor, runtime_for
from sklambda.runtime.registry import SERVE_ARTIFACT

# Transient: the registry could not be reached; the next check tries again.
_REGISTRY_FAULTS = (BotoCoreError, ClientError)
# Permanent: these bytes will fail the same way every time, so they are not fetched again
# until the alias is rewritten.
_BAD_CONTENT = (
    CorruptModelError,
    IntegrityError,
    IncompatibleModelError,
    ModelNotFoundError,
    UntrustedModelError,
)


@dataclass(frozen=True)
class ChampionProblem:
    version: str
    reason: str


@dataclass(frozen=True)
class LoadedModel:
    manifest: Manifest
    predictor: Predictor
    load_seconds: float

    @property
    def version(self) -> str:
        return self.manifest.version or ""


@dataclass(frozen=True)
class _Refusal:
    """A champion that could not be served, remembered by the alias ETag that named it."""

    alias_etag: str
    reason: str


class ModelLoader:
    """Keeps the serving model; a failed refresh never replaces a model that works.

    With nothing loaded a request waits on ``registry`` (a few seconds at most, then 503);
    with a model loaded the TTL's re-check goes through ``refresh_registry``, whose client
    gives up quickly, so a slow registry costs one request per TTL about a second.
    """

    def __init__(
        self,
        registry: ModelRegistry,
        cache_dir: Path,
        ttl_seconds: float,
        *,
        verifier: ManifestVerifier,
        refresh_registry: ModelRegistry | None = None,
        clock: Callable[[], float] = time.monotonic,
        inference_runtime: str = SERVE_ARTIFACT,
    ) -> None:
        self._registry = registry
        self._inference_runtime = inference_runtime
        self._refresh_registry = refresh_registry or registry
        self._verifier = verifier
        self._cache_dir = cache_dir
        self._ttl = ttl_seconds
        self._clock = clock
        self._model: LoadedModel | None = None
        self._refused: _Refusal | None = None
        self._checked_at = float("-inf")
        self.failures = 0
        # Set while the champion alias names a version that could not be loaded.
        self.champion_problem: ChampionProblem | None = None

    @property
    def loaded(self) -> LoadedModel | None:
        return self._model

    def current(self) -> LoadedModel:
        now = self._clock()
        if now - self._checked_at < self._ttl:
            if self._model is not None:
                return self._model
            if self._refused is not None:
                raise ModelUnavailableError(self._refused.reason)
        self._checked_at = now
        registry = self._registry if self._model is None else self._refresh_registry
        try:
            state = registry.alias(CHAMPION)
        except CorruptModelError as error:
            return self._keep_serving(error, "the champion alias cannot be used")
        except _REGISTRY_FAULTS as error:
            return self._keep_serving(error, "the champion alias could not be read")
        if state is None:
            return self._keep_serving(
                None,
                f"model {self._registry.model_name!r} has no champion yet; publish and promote one",
            )
        if self._model is not None and state.pointer.version == self._model.version:
            self.champion_problem = None
            return self._model
        version = state.pointer.version
        if self._refused is not None and self._refused.alias_etag == state.etag:
            return self._keep_serving(None, self._refused.reason)
        try:
            self._model = self._load(registry, version)
        except _BAD_CONTENT as error:
            self._refused = _Refusal(state.etag, f"champion {version} could not be loaded: {error}")
            self.champion_problem = ChampionProblem(version, str(error))
            return self._keep_serving(None, self._refused.reason)
        except _REGISTRY_FAULTS as error:
            self.champion_problem = ChampionProblem(version, str(error))
            return self._keep_serving(error, f"champion {version} could not be loaded")
        self._refused = None
        self.champion_problem = None
        return self._model

    def reconnect(
        self, registry: ModelRegistry, refresh_registry: ModelRegistry | None = None
    ) -> None:
        """Use new registry clients and re-check the champion on the next call.

        After a SnapStart restore the snapshot's connections are stale and its clock reading
        says nothing about how long ago the champion was checked.
        """
        self._registry = registry
        self._refresh_registry = refresh_registry or registry
        self._checked_at = float("-inf")

    def load_version(self, version: str) -> LoadedModel:
        """Fetch, verify and load one version: nothing is parsed before the manifest's signature
        checks out, nothing deserialised before the artifact's hash matches the manifest."""
        return self._load(self._registry, version)

    def _load(self, registry: ModelRegistry, version: str) -> LoadedModel:
        started = time.perf_counter()
        manifest = registry.verified_manifest(version, self._verifier)
        runtime = runtime_for(manifest, self._inference_runtime)
        runtime.check(manifest)
        path = registry.download_verified(manifest, self._cache_dir, runtime.artifact(manifest))
        predictor = runtime.load(path, manifest)
        return LoadedModel(manifest, predictor, time.perf_counter() - started)

    def _keep_serving(self, error: Exception | None, reason: str) -> LoadedModel:
        detail = f"{reason}: {error}" if error else reason
        self.failures += 1
        if self._model is not None:
            logger.error(
                "keeping the loaded model", extra={"serving": self._model.version, "reason": detail}
            )
            return self._model
        raise ModelUnavailableError(detail) from error
