"""DriftFunction's and GroundTruthFunction's environments, each validated at its cold start.

Every field the template sets is required here, so a default cannot drift from the template.
"""

from dataclasses import replace
from functools import cache

from pydantic import Field

from sklambda.settings import RegistrySettings
from sklambda.storage.keys import ModelKeys


class MonitoringSettings(RegistrySettings):
    """What both monitoring functions read: where captures, reports and labelled rows live."""

    capture_prefix: str = Field(alias="CAPTURE_PREFIX")
    reports_prefix: str = Field(alias="REPORTS_PREFIX")
    labelled_prefix: str = Field(alias="LABELLED_PREFIX")

    def model_keys(self) -> ModelKeys:
        return ModelKeys(
            self.model_name,
            model_prefix=self.model_prefix,
            capture_prefix=self.capture_prefix,
            reports_prefix=self.reports_prefix,
            labelled_prefix=self.labelled_prefix,
        )


class DriftSettings(MonitoringSettings):
    state_prefix: str = Field(alias="MONITORING_STATE_PREFIX")
    min_samples: int = Field(alias="DRIFT_MIN_SAMPLES", ge=1)
    psi_threshold: float = Field(alias="DRIFT_PSI_THRESHOLD", gt=0)
    p_value_threshold: float = Field(alias="DRIFT_P_VALUE_THRESHOLD", gt=0, lt=1)
    max_window_hours: float = Field(alias="DRIFT_MAX_WINDOW_HOURS", gt=0)

    def model_keys(self) -> ModelKeys:
        return replace(super().model_keys(), state_prefix=self.state_prefix)


class GroundTruthSettings(MonitoringSettings):
    label_lookback_hours: float = Field(alias="LABEL_LOOKBACK_HOURS", gt=0)


@cache
def get_settings() -> MonitoringSettings:
    return MonitoringSettings.from_environment()


@cache
def get_drift_settings() -> DriftSettings:
    return DriftSettings.from_environment()


@cache
def get_ground_truth_settings() -> GroundTruthSettings:
    return GroundTruthSettings.from_environment()
