"""BatchScoreFunction's environment, validated at cold start."""

from functools import cache

from pydantic import Field

from sklambda.monitoring.capture_settings import CaptureSettings
from sklambda.settings import RegistrySettings

_MB = 1024 * 1024


class BatchSettings(RegistrySettings, CaptureSettings):
    state_machine_arn: str = Field(alias="BATCH_STATE_MACHINE_ARN", pattern=r"^arn:[^:]+:states:")
    distributed_threshold_mb: float = Field(alias="BATCH_DISTRIBUTED_THRESHOLD_MB", gt=0)
    map_chunk_mb: float = Field(alias="BATCH_MAP_CHUNK_MB", gt=0)
    max_concurrency: int = Field(alias="BATCH_MAX_CONCURRENCY", ge=1)
    tolerated_failure_percentage: float = Field(
        alias="BATCH_TOLERATED_FAILURE_PERCENTAGE", ge=0, le=100
    )
    # Not set by the template: internal tuning, so the default lives here only.
    read_chunk_mb: float = Field(alias="BATCH_READ_CHUNK_MB", default=8, gt=0)
    sweep_max_files: int = Field(alias="BATCH_SWEEP_MAX_FILES", default=100, ge=1)

    @property
    def distributed_threshold_bytes(self) -> int:
        return int(self.distributed_threshold_mb * _MB)

    @property
    def map_chunk_bytes(self) -> int:
        return int(self.map_chunk_mb * _MB)

    @property
    def read_chunk_bytes(self) -> int:
        return int(self.read_chunk_mb * _MB)


@cache
def get_settings() -> BatchSettings:
    return BatchSettings.from_environment()
