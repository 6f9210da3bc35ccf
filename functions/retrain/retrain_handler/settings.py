"""One environment model per function of the loop, each validated at that function's cold start."""

from datetime import timedelta
from functools import cache
from typing import Literal

from pydantic import Field

from sklambda.retraining.gate import GatePolicy, PromotionMetric
from sklambda.settings import EnvironmentSettings, RegistrySettings, ServingSettings
from sklambda.storage.keys import ModelKeys


class LockSettings(EnvironmentSettings):
    model_bucket: str = Field(alias="MODEL_BUCKET", min_length=3)
    cooldown_minutes: float = Field(alias="RETRAIN_COOLDOWN_MINUTES", ge=0)
    run_timeout_seconds: int = Field(alias="RETRAIN_TIMEOUT_SECONDS", ge=60)


class GuardSettings(LockSettings):
    drift_alarm_names: str = Field(alias="DRIFT_ALARM_NAMES", min_length=1)
    performance_alarm_names: str = Field(alias="PERFORMANCE_ALARM_NAMES", min_length=1)

    @property
    def drift_alarms(self) -> frozenset[str]:
        return frozenset(name.strip() for name in self.drift_alarm_names.split(",") if name.strip())

    @property
    def performance_alarms(self) -> frozenset[str]:
        return frozenset(
            name.strip() for name in self.performance_alarm_names.split(",") if name.strip()
        )


class TrainSettings(RegistrySettings):
    training_prefix: str = Field(alias="TRAINING_PREFIX")
    labelled_prefix: str = Field(alias="LABELLED_PREFIX")
    labelled_lookback_days: float = Field(alias="LABELLED_LOOKBACK_DAYS", gt=0)
    fresh_holdout_fraction: float = Field(alias="FRESH_HOLDOUT_FRACTION", default=0.3, gt=0, lt=1)
    min_fresh_holdout_rows: int = Field(alias="MIN_FRESH_HOLDOUT_ROWS", ge=1)
    work_dir: str = Field(alias="TRAIN_WORK_DIR", default="/tmp/sklambda-train")  # noqa: S108

    def model_keys(self) -> ModelKeys:
        return ModelKeys(
            self.model_name, model_prefix=self.model_prefix, labelled_prefix=self.labelled_prefix
        )


class EvaluateSettings(RegistrySettings):
    """Not ServingSettings: both models are scored from their pickles (this layer has no ONNX
    Runtime); the deployed runtime only decides whether the candidate could serve."""

    promotion_metric: PromotionMetric = Field(alias="PROMOTION_METRIC")
    promotion_tolerance: float = Field(alias="PROMOTION_TOLERANCE", ge=0)
    max_artifact_mb: float = Field(alias="CANDIDATE_MAX_ARTIFACT_MB", gt=0)
    max_load_seconds: float = Field(alias="CANDIDATE_MAX_LOAD_SECONDS", gt=0)
    max_predict_milliseconds: float = Field(alias="CANDIDATE_MAX_PREDICT_MS", gt=0)
    inference_runtime: Literal["onnx", "sklearn"] = Field(alias="INFERENCE_RUNTIME")

    def policy(self) -> GatePolicy:
        return GatePolicy(
            metric=self.promotion_metric,
            tolerance=self.promotion_tolerance,
            max_artifact_bytes=int(self.max_artifact_mb * 1_000_000),
            max_load_seconds=self.max_load_seconds,
            max_predict_milliseconds=self.max_predict_milliseconds,
        )


class PromoteSettings(ServingSettings):
    watch_minutes: float = Field(alias="PROMOTION_WATCH_MINUTES", ge=0)

    @property
    def watch(self) -> timedelta:
        return timedelta(minutes=self.watch_minutes)


class ReportSettings(LockSettings, RegistrySettings):
    pass


class RollbackSettings(RegistrySettings):
    pass


@cache
def get_guard_settings() -> GuardSettings:
    return GuardSettings.from_environment()


@cache
def get_train_settings() -> TrainSettings:
    return TrainSettings.from_environment()


@cache
def get_evaluate_settings() -> EvaluateSettings:
    return EvaluateSettings.from_environment()


@cache
def get_promote_settings() -> PromoteSettings:
    return PromoteSettings.from_environment()


@cache
def get_report_settings() -> ReportSettings:
    return ReportSettings.from_environment()


@cache
def get_rollback_settings() -> RollbackSettings:
    return RollbackSettings.from_environment()
