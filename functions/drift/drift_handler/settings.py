"""DriftFunction's and GroundTruthFunction's environment, validated at cold start."""

from functools import cache

from pydantic import Field

from sklambda.settings import RegistrySettings
from sklambda.storage.keys import ModelKeys


class MonitoringSettings(RegistrySettings):
    capture_prefix: str = Field(alias="CAPTURE_PREFIX", default="capture")
    reports_prefix: str = Field(alias="REPORTS_PREFIX", default="reports")
    state_prefix: str = Field(alias="MONITORING_STATE_PREFIX", default="monitoring")
    labelled_prefix: str = Field(alias="LABELLED_PREFIX", default="labelled")
    min_samples: int = Field(alias="DRIFT_MIN_SAMPLES", default=500, ge=1)
    psi_threshold: float = Field(alias="DRIFT_PSI_THRESHOLD", default=0.2, gt=0)
    p_value_threshold: float = Field(alias="DRIFT_P_VALUE_THRESHOLD", default=0.001, gt=0, lt=1)
    max_window_hours: float = Field(alias="DRIFT_MAX_WINDOW_HOURS", default=24.0, gt=0)
    label_lookback_hours: float = Field(alias="LABEL_LOOKBACK_HOURS", default=168.0, gt=0)

    def model_keys(self) -> ModelKeys:
        return ModelKeys(
            self.model_name,
            model_prefix=self.model_prefix,
            capture_prefix=self.capture_prefix,
            reports_prefix=self.reports_prefix,
            state_prefix=self.state_prefix,
            labelled_prefix=self.labelled_prefix,
        )


@cache
def get_settings() -> MonitoringSettings:
    return MonitoringSettings.from_environment()
