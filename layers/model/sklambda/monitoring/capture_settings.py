"""The capture settings every function that captures shares (predict and batch)."""

from pydantic import Field

from sklambda.settings import EnvironmentSettings


class CaptureSettings(EnvironmentSettings):
    # Empty turns capture off, e.g. for a stack deployed without monitoring.
    capture_stream_name: str = Field(alias="CAPTURE_STREAM_NAME", default="")
    capture_sampling_rate: float = Field(alias="CAPTURE_SAMPLING_RATE", default=1.0, ge=0, le=1)
