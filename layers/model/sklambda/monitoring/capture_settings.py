"""The capture settings of the functions that capture (predict and batch)."""

from pydantic import Field

from sklambda.settings import EnvironmentSettings


class CaptureSamplingSettings(EnvironmentSettings):
    # 0 turns capture off, e.g. for a stack deployed without monitoring.
    capture_sampling_rate: float = Field(alias="CAPTURE_SAMPLING_RATE", ge=0, le=1)


class CaptureSettings(CaptureSamplingSettings):
    """Capture that puts records to a Firehose stream itself (batch scoring)."""

    # Empty turns capture off.
    capture_stream_name: str = Field(alias="CAPTURE_STREAM_NAME")
