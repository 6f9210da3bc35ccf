"""PredictFunction's environment, validated at cold start."""

from functools import cache

from pydantic import Field

from sklambda.monitoring.capture_settings import CaptureSamplingSettings
from sklambda.settings import RegistrySettings


class PredictSettings(RegistrySettings, CaptureSamplingSettings):
    max_rows_per_request: int = Field(alias="MAX_ROWS_PER_REQUEST", ge=1)


@cache
def get_settings() -> PredictSettings:
    return PredictSettings.from_environment()
