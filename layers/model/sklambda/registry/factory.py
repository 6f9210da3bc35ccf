"""The registry and loader every function builds the same way from its registry settings."""

from pathlib import Path

from sklambda import aws
from sklambda.registry.loader import ModelLoader
from sklambda.registry.signing import KmsSigner, KmsVerifier, ManifestSignature
from sklambda.registry.store import ModelRegistry
from sklambda.runtime.registry import SERVE_ARTIFACT
from sklambda.settings import RegistrySettings, ServingSettings


def registry_for(settings: RegistrySettings, s3: object | None = None) -> ModelRegistry:
    """The registry; it signs what it publishes, which only a publishing role is allowed to."""
    return ModelRegistry(
        s3 or aws.client("s3"),
        settings.model_bucket,
        settings.model_name,
        settings.model_prefix,
        signer=KmsSigner(aws.client("kms"), settings.model_signing_key),
    )


def verifier_for(settings: RegistrySettings) -> KmsVerifier:
    return KmsVerifier(
        aws.model_load_client("kms"),
        settings.model_signing_key,
        allow_unsigned=settings.allow_unsigned_models,
    )


def serving_registries(settings: RegistrySettings) -> tuple[ModelRegistry, ModelRegistry]:
    """The registry a cold load waits on for a few seconds, and the one a warm refresh uses,
    which gives up within about a second so the loaded model answers meanwhile."""
    return (
        _reading_registry(settings, aws.model_load_client("s3")),
        _reading_registry(settings, aws.best_effort_client("s3")),
    )


class _ServingCannotSign:
    """Serving only reads the registry: no KMS client is built for signing (a tenth of a
    second of every cold start), and a publish from here fails as the key policy would fail it."""

    def sign(self, body: bytes) -> ManifestSignature:  # noqa: ARG002
        raise PermissionError("a serving function reads the registry; it cannot sign or publish")


def _reading_registry(settings: RegistrySettings, s3: object) -> ModelRegistry:
    return ModelRegistry(
        s3,
        settings.model_bucket,
        settings.model_name,
        settings.model_prefix,
        signer=_ServingCannotSign(),
    )


def loader_for(settings: RegistrySettings, *, ttl_seconds: float | None = None) -> ModelLoader:
    ttl = settings.model_cache_ttl_seconds if ttl_seconds is None else ttl_seconds
    runtime = settings.inference_runtime if isinstance(settings, ServingSettings) else None
    cold, warm = serving_registries(settings)
    return ModelLoader(
        cold,
        Path(settings.model_cache_dir),
        ttl,
        verifier=verifier_for(settings),
        refresh_registry=warm,
        inference_runtime=runtime or SERVE_ARTIFACT,
    )
