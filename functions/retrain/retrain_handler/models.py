"""What each state of the retraining machine passes to the next (validated at every edge)."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sklambda.retraining.gate import Verdict
from sklambda.retraining.lock import LockStatus
from sklambda.retraining.runs import Outcome
from sklambda.retraining.trigger import Trigger


class _Step(BaseModel):
    model_config = ConfigDict(extra="ignore")


class GuardInput(_Step):
    run_id: str = Field(min_length=1)
    event: dict[str, Any]


class GuardResult(_Step):
    acquired: bool
    status: LockStatus
    message: str
    run_id: str
    trigger: Trigger


class TrainInput(_Step):
    run_id: str = Field(min_length=1)
    trigger: Trigger


class TrainResult(_Step):
    candidate_version: str
    champion_version: str
    holdout_key: str
    holdout_source: Literal["labelled", "training"]
    holdout_rows: int
    training_rows: int
    labelled_rows: int


class EvaluateInput(_Step):
    run_id: str
    trigger: Trigger
    candidate_version: str
    champion_version: str
    holdout_key: str
    holdout_source: str


class PromoteInput(_Step):
    run_id: str
    candidate_version: str
    champion_version: str
    reason: str


class PromoteResult(_Step):
    champion: str
    previous: str
    watch_until: datetime


class TaskError(_Step):
    """What a Catch puts at its ResultPath."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    error: str = Field(alias="Error", default="Unknown")
    cause: str = Field(alias="Cause", default="")


class RunState(_Step):
    guard: GuardResult | None = None
    training: TrainResult | None = None
    evaluation: Verdict | None = None
    promotion: PromoteResult | None = None
    error: TaskError | None = None


class ReportInput(_Step):
    run_id: str
    started_at: datetime
    outcome: Outcome
    state: RunState


class Notification(_Step):
    notify: bool
    subject: str
    message: str
    outcome: Outcome
    record_key: str


class RollbackInput(_Step):
    run_id: str
    event: dict[str, Any]
