"""Loads the champion once per execution environment and follows promotions on a TTL."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from sklambda.errors import (
    IncompatibleModelError,
    IntegrityError,
    ModelNotFoundError,
    ModelUnavailableError,
)
from sklambda.observability import logger
from sklambda.registry.manifest import Manifest
from sklambda.registry.store import CHAMPION, ModelRegistry
from sklambda.runtime import Predictor, runtime_for

_REGISTRY_FAULTS = (BotoCoreError, ClientError)
_LOAD_FAULTS = (IntegrityError, IncompatibleModelError, ModelNotFoundError, *_REGISTRY_FAULTS)


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


class ModelLoader:
    """Keeps the serving model; a failed refresh never replaces a model that works."""

    def __init__(
        self,
        registry: ModelRegistry,
        cache_dir: Path,
        ttl_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._registry = registry
        self._cache_dir = cache_dir
        self._ttl = ttl_seconds
        self._clock = clock
        self._model: LoadedModel | None = None
        self._checked_at = float("-inf")
        self.failures = 0
        # Set while the champion alias names a version that could not be loaded.
        self.champion_problem: ChampionProblem | None = None

    @property
    def loaded(self) -> LoadedModel | None:
        return self._model

    def current(self) -> LoadedModel:
        now = self._clock()
        if self._model is not None and now - self._checked_at < self._ttl:
            return self._model
        self._checked_at = now
        try:
            state = self._registry.alias(CHAMPION)
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
        try:
            self._model = self.load_version(state.pointer.version)
        except _LOAD_FAULTS as error:
            self.champion_problem = ChampionProblem(state.pointer.version, str(error))
            return self._keep_serving(
                error, f"champion {state.pointer.version} could not be loaded"
            )
        self.champion_problem = None
        return self._model

    def reconnect(self, registry: ModelRegistry) -> None:
        """Use a new registry client and re-check the champion on the next call.

        After a SnapStart restore the snapshot's connections are stale and its clock reading
        says nothing about how long ago the champion was checked.
        """
        self._registry = registry
        self._checked_at = float("-inf")

    def load_version(self, version: str) -> LoadedModel:
        """Fetch, verify and load one version; nothing is deserialised before its hash matches."""
        started = time.perf_counter()
        manifest = self._registry.manifest(version)
        runtime = runtime_for(manifest)
        runtime.check(manifest)
        path = self._registry.download_verified(manifest, self._cache_dir)
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
