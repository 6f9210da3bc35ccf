"""The capture settings of the functions that capture (predict and batch)."""

from pydantic import Field

from sklambda.settings import EnvironmentSettings


class CaptureSamplingSettings(EnvironmentSettings):
    # 0 turns capture off, e.g. for a stack deployed without monitoring.
    capture_sampling_rate: float = Field(alias="CAPTURE_SAMPLING_RATE", ge=0, le=1)
    # Comma-separated feature names whose values are never captured (written as null).
    capture_excluded_features: str = Field(alias="CAPTURE_EXCLUDED_FEATURES")

    @property
    def excluded_features(self) -> frozenset[str]:
        return frozenset(
            name.strip() for name in self.capture_excluded_features.split(",") if name.strip()
        )


class CaptureSettings(CaptureSamplingSettings):
    """Capture that puts records to a Firehose stream itself (batch scoring)."""

    # Empty turns capture off.
    capture_stream_name: str = Field(alias="CAPTURE_STREAM_NAME")
