"""What started a run: an alarm's state change delivered by EventBridge, or a person's request.

Both arrive shaped as EventBridge events, so one parser (Powertools' EventBridgeModel) checks
them at the edge; the alarm name decides whether it was a drift or a performance alarm.
"""

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sklambda.errors import InvalidTriggerError

ALARM_STATE_CHANGE = "CloudWatch Alarm State Change"
RETRAINING_REQUESTED = "Retraining Requested"
MANUAL_SOURCE = "sklambda.cli"


class TriggerKind(StrEnum):
    DRIFT = "drift"
    PERFORMANCE = "performance"
    MANUAL = "manual"
    SERVING = "serving"


class AlarmState(BaseModel):
    value: str
    reason: str = ""
    timestamp: str | None = None


class AlarmDetail(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    alarm_name: str = Field(alias="alarmName")
    state: AlarmState
    previous_state: AlarmState | None = Field(default=None, alias="previousState")


class AlarmStateChangeEvent(EventBridgeModel):
    detail: AlarmDetail


class RetrainingRequestDetail(BaseModel):
    reason: str = Field(min_length=1, max_length=500)
    requested_by: str = "unknown"


class RetrainingRequestEvent(EventBridgeModel):
    detail: RetrainingRequestDetail


class Trigger(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: TriggerKind
    source: str = Field(description="the alarm's name, or who asked")
    reason: str
    at: datetime


def _problems(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
        for problem in error.errors()
    )


def parse_alarm_event(event: dict[str, Any]) -> AlarmStateChangeEvent:
    try:
        return AlarmStateChangeEvent.model_validate(event)
    except ValidationError as error:
        raise InvalidTriggerError(
            f"not a CloudWatch alarm state change: {_problems(error)}"
        ) from error


def parse_trigger(
    event: dict[str, Any], *, drift_alarms: frozenset[str], performance_alarms: frozenset[str]
) -> Trigger:
    detail_type = event.get("detail-type")
    if detail_type == RETRAINING_REQUESTED:
        try:
            request = RetrainingRequestEvent.model_validate(event)
        except ValidationError as error:
            raise InvalidTriggerError(f"invalid retraining request: {_problems(error)}") from error
        return Trigger(
            kind=TriggerKind.MANUAL,
            source=request.detail.requested_by,
            reason=request.detail.reason,
            at=request.time,
        )
    if detail_type != ALARM_STATE_CHANGE:
        raise InvalidTriggerError(
            f"retraining starts on {ALARM_STATE_CHANGE!r} or {RETRAINING_REQUESTED!r} events, "
            f"not {detail_type!r}"
        )
    alarm = parse_alarm_event(event)
    name = alarm.detail.alarm_name
    if alarm.detail.state.value != "ALARM":
        raise InvalidTriggerError(f"alarm {name} moved to {alarm.detail.state.value}, not ALARM")
    if name in performance_alarms:
        kind = TriggerKind.PERFORMANCE
    elif name in drift_alarms:
        kind = TriggerKind.DRIFT
    else:
        raise InvalidTriggerError(f"alarm {name} is neither a drift nor a performance alarm")
    return Trigger(kind=kind, source=name, reason=alarm.detail.state.reason, at=alarm.time)


def retraining_request(
    reason: str, requested_by: str, region: str, account: str = ""
) -> dict[str, Any]:
    """The input a person's run starts with: the same envelope an alarm's event has."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": RETRAINING_REQUESTED,
        "source": MANUAL_SOURCE,
        "account": account,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [],
        "detail": {"reason": reason, "requested_by": requested_by},
    }
