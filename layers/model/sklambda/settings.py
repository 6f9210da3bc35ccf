"""Environment settings, validated once at cold start so a misconfigured stack fails loudly.

A variable the template sets has no default here: the template is the one place its value is
chosen, and a stack that lacks it fails at cold start with the variable's name.
"""

import os
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sklambda.errors import ConfigurationError
from sklambda.storage.keys import MODEL_NAME_PATTERN, ModelKeys


class EnvironmentSettings(BaseModel):
    """Base for the per-function settings models; field aliases name the variables."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> Self:
        source = dict(os.environ if environ is None else environ)
        try:
            return cls.model_validate(source)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
                for error in exc.errors()
            )
            raise ConfigurationError(f"invalid environment for {cls.__name__}: {problems}") from exc


class RegistrySettings(EnvironmentSettings):
    """Where the model registry lives; every function that loads a model needs these."""

    model_bucket: str = Field(alias="MODEL_BUCKET", min_length=3)
    model_name: str = Field(alias="MODEL_NAME", min_length=1, pattern=MODEL_NAME_PATTERN)
    model_prefix: str = Field(alias="MODEL_PREFIX")
    model_cache_ttl_seconds: float = Field(alias="MODEL_CACHE_TTL_SECONDS", ge=0)
    model_cache_dir: str = Field(alias="MODEL_CACHE_DIR")
    # The stack's KMS key (an alias name or ARN) that signs manifests at publish.
    model_signing_key: str = Field(alias="MODEL_SIGNING_KEY", min_length=1)
    allow_unsigned_models: bool = Field(alias="ALLOW_UNSIGNED_MODELS")

    def model_keys(self) -> ModelKeys:
        return ModelKeys(self.model_name, model_prefix=self.model_prefix)


class ServingSettings(RegistrySettings):
    """Functions that serve the champion: which runtime executes it (template InferenceRuntime)."""

    inference_runtime: Literal["onnx", "sklearn"] = Field(alias="INFERENCE_RUNTIME")
