"""The capture settings every function that captures shares (predict and batch)."""

from pydantic import Field

from sklambda.settings import EnvironmentSettings


class CaptureSettings(EnvironmentSettings):
    # Empty turns capture off, e.g. for a stack deployed without monitoring.
    capture_stream_name: str = Field(alias="CAPTURE_STREAM_NAME")
    capture_sampling_rate: float = Field(alias="CAPTURE_SAMPLING_RATE", ge=0, le=1)
