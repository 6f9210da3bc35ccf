"""The registry and loader every function builds the same way from its registry settings."""

from pathlib import Path

from sklambda import aws
from sklambda.registry.loader import ModelLoader
from sklambda.registry.store import ModelRegistry
from sklambda.runtime.registry import SERVE_ARTIFACT
from sklambda.settings import RegistrySettings, ServingSettings


def registry_for(settings: RegistrySettings) -> ModelRegistry:
    return ModelRegistry(
        aws.client("s3"), settings.model_bucket, settings.model_name, settings.model_prefix
    )


def loader_for(settings: RegistrySettings, *, ttl_seconds: float | None = None) -> ModelLoader:
    ttl = settings.model_cache_ttl_seconds if ttl_seconds is None else ttl_seconds
    runtime = settings.inference_runtime if isinstance(settings, ServingSettings) else None
    return ModelLoader(
        registry_for(settings),
        Path(settings.model_cache_dir),
        ttl,
        inference_runtime=runtime or SERVE_ARTIFACT,
    )
