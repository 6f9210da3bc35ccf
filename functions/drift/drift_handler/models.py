"""What the monitoring handlers accept and return."""

from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.parser.models import S3EventNotificationEventBridgeModel
from pydantic import BaseModel, Field, model_validator

# The envelope of an EventBridge event; anything else (Records, an HTTP request) is not a run.
_SCHEDULE_KEYS = frozenset(
    {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}
)


class DriftRunRequest(BaseModel):
    """A scheduled EventBridge event (its ``time`` ends the window) or an on-demand invoke."""

    time: datetime | None = Field(default=None, description="end of the window; default now")

    @model_validator(mode="before")
    @classmethod
    def _only_a_schedule(cls, event: Any) -> Any:
        if isinstance(event, dict):
            foreign = sorted(str(key) for key in event if key not in _SCHEDULE_KEYS)
            if foreign:
                raise ValueError(f"unexpected top-level keys {', '.join(foreign[:5])}")
        return event


class LabelFileUploaded(S3EventNotificationEventBridgeModel):
    """The S3 "Object Created" event EventBridge delivers for a file under labels/."""


class VersionDriftResult(BaseModel):
    model_version: str
    sample_size: int
    insufficient_data: bool
    max_psi: float | None
    drifted_features: list[str]
    prediction_psi: float | None
    json_report: str
    html_report: str


class DriftRunResult(BaseModel):
    run_id: str
    window_start: datetime
    window_end: datetime
    captured_objects: int
    watermark_advanced: bool
    versions: list[VersionDriftResult]


class GroundTruthResult(BaseModel):
    labels_file: str
    labels: int
    matched: int
    unmatched: int
    scores: dict[str, dict[str, float]] = Field(description="per model version")
    labelled_data: list[str]
    report: str
