"""EventBridge for the local stack: the template's rules, matched and delivered as AWS would.

moto's EventBridge cannot start a Step Functions target (its put_events raises
NotImplementedError for one), so rules are read from template.yaml - the EventBridgeRule
events of each state machine - and a matching event starts an execution with the whole
event as input, which is what an EventBridge target without an InputTransformer receives.
Only the pattern features the template uses are supported; any other raises rather than
matching differently from AWS.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sklambda_local.template import LOCAL_ACCOUNT, LOCAL_REGION, LocalStack

RULE_EVENT_TYPES = {"EventBridgeRule", "CloudWatchEvent"}
TARGET_TYPES = {"AWS::Serverless::StateMachine"}


@dataclass(frozen=True)
class LocalRule:
    name: str
    pattern: dict[str, Any]
    target_arn: str


def _matches_values(allowed: list[Any], value: Any) -> bool:
    for candidate in allowed:
        if isinstance(candidate, dict):
            raise NotImplementedError(f"content filter {candidate} is not supported locally")
    values = value if isinstance(value, list) else [value]
    return any(item in allowed for item in values)


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """EventBridge's rules: every field in the pattern must match; arrays list allowed values."""
    for field, expected in pattern.items():
        if field not in event:
            return False
        value = event[field]
        if isinstance(expected, dict):
            if not isinstance(value, dict) or not matches(expected, value):
                return False
        elif isinstance(expected, list):
            if not _matches_values(expected, value):
                return False
        else:
            raise ValueError(
                f"pattern field {field!r} must be an array or an object, not {expected!r}"
            )
    return True


def rules_from_template(stack: LocalStack) -> list[LocalRule]:
    rules = []
    for logical_id, resource in stack.resources.items():
        if resource["Type"] not in TARGET_TYPES:
            continue
        for event_id, event in resource.get("Properties", {}).get("Events", {}).items():
            if event["Type"] in RULE_EVENT_TYPES:
                pattern = stack.resolve(event["Properties"]["Pattern"])
                rules.append(
                    LocalRule(f"{logical_id}.{event_id}", pattern, stack.arn_of(logical_id))
                )
    return rules


class LocalEventBridge:
    def __init__(self, stack: LocalStack, stepfunctions: Any) -> None:
        self._rules = rules_from_template(stack)
        self._sfn = stepfunctions

    @property
    def rules(self) -> list[LocalRule]:
        return list(self._rules)

    def put_event(self, event: dict[str, Any]) -> list[str]:
        """Deliver one event to every matching rule's target; returns the executions started."""
        started = []
        for rule in self._rules:
            if matches(rule.pattern, event):
                # EventBridge names each execution itself (moto would leave it unnamed).
                response = self._sfn.start_execution(
                    stateMachineArn=rule.target_arn, name=str(uuid.uuid4()), input=json.dumps(event)
                )
                started.append(str(response["executionArn"]))
        return started


def envelope(
    detail_type: str,
    source: str,
    resources: list[str],
    detail: dict[str, Any],
    time: datetime | None = None,
) -> dict[str, Any]:
    """The envelope EventBridge puts around every event it delivers."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": LOCAL_ACCOUNT,
        "time": (time or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": LOCAL_REGION,
        "resources": resources,
        "detail": detail,
    }


def alarm_state_change(alarm: dict[str, Any], previous_state: str) -> dict[str, Any]:
    """The event CloudWatch sends when an alarm (a describe_alarms entry) changes state."""
    changed = alarm.get("StateUpdatedTimestamp") or datetime.now(UTC)
    stamp = changed.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    return envelope(
        "CloudWatch Alarm State Change",
        "aws.cloudwatch",
        [alarm["AlarmArn"]],
        {
            "alarmName": alarm["AlarmName"],
            "state": {
                "value": alarm["StateValue"],
                "reason": alarm.get("StateReason", ""),
                "timestamp": stamp,
            },
            "previousState": {"value": previous_state, "reason": "", "timestamp": stamp},
            "configuration": {
                "description": alarm.get("AlarmDescription", ""),
                "metrics": [],
            },
        },
        time=changed,
    )
