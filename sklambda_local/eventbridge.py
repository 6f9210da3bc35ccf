"""EventBridge for the local stack: the template's rules, matched and delivered as AWS would.

Rules come from template.yaml (the EventBridgeRule events of each function and state
machine) and are matched with moto's own event-pattern matcher, which evaluates the content
filters (prefix, numeric, exists, anything-but) the template uses. Delivery is done here
because moto's EventBridge cannot start a Step Functions execution nor run a function's
code: a matching event starts an execution with the whole event as input, or runs the
function's handler in this process, which is what a target without an InputTransformer
receives in AWS.

Events that S3 sends itself (EventBridge notifications, which moto's S3 emits) reach moto's
default bus; `DefaultBusRelay` forwards them here through the one target kind moto can
deliver to, an SQS queue.
"""

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.events.models import EventPattern

from sklambda_local.template import LOCAL_ACCOUNT, LOCAL_REGION, LocalStack

RULE_EVENT_TYPES = {"EventBridgeRule", "CloudWatchEvent"}
STATE_MACHINE = "AWS::Serverless::StateMachine"
FUNCTION = "AWS::Serverless::Function"
# Runs one function's handler on an event; returns (result, failed).
FunctionRunner = Callable[[str, dict[str, Any]], tuple[Any, bool]]


@dataclass(frozen=True)
class LocalRule:
    name: str
    pattern: dict[str, Any]
    target_arn: str
    target_id: str = ""
    target_type: str = STATE_MACHINE

    def matches(self, event: dict[str, Any]) -> bool:
        return matches(self.pattern, event)


@dataclass
class Delivery:
    rule: str
    event: dict[str, Any]
    result: Any = None
    failed: bool = False


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """EventBridge's matching, by moto's matcher (the pattern is validated as AWS would)."""
    return bool(EventPattern.load(json.dumps(pattern)).matches_event(event))  # type: ignore[arg-type]


def rules_from_template(stack: LocalStack) -> list[LocalRule]:
    rules = []
    for logical_id, resource in stack.resources.items():
        if resource["Type"] not in {STATE_MACHINE, FUNCTION}:
            continue
        for event_id, event in resource.get("Properties", {}).get("Events", {}).items():
            if event["Type"] in RULE_EVENT_TYPES:
                pattern = stack.resolve(event["Properties"]["Pattern"])
                rules.append(
                    LocalRule(
                        f"{logical_id}.{event_id}",
                        pattern,
                        stack.arn_of(logical_id),
                        logical_id,
                        resource["Type"],
                    )
                )
    return rules


class LocalEventBridge:
    def __init__(
        self,
        stack: LocalStack,
        stepfunctions: Any,
        run_function: FunctionRunner | None = None,
    ) -> None:
        self._rules = rules_from_template(stack)
        self._sfn = stepfunctions
        self._run_function = run_function
        self._lock = threading.Lock()
        self.deliveries: list[Delivery] = []

    @property
    def rules(self) -> list[LocalRule]:
        return list(self._rules)

    def put_event(self, event: dict[str, Any]) -> list[str]:
        """Deliver one event to every matching rule's target; returns the executions started.

        Function targets run only when this bus was given a runner (rules whose target cannot
        run are skipped, as an event with no enabled rule is in AWS).
        """
        started = []
        for rule in self._rules:
            if not rule.matches(event):
                continue
            if rule.target_type == STATE_MACHINE:
                # EventBridge names each execution itself (moto would leave it unnamed).
                response = self._sfn.start_execution(
                    stateMachineArn=rule.target_arn, name=str(uuid.uuid4()), input=json.dumps(event)
                )
                started.append(str(response["executionArn"]))
                self._record(Delivery(rule.name, event, response["executionArn"]))
            elif self._run_function is not None:
                result, failed = self._run_function(rule.target_id, event)
                self._record(Delivery(rule.name, event, result, failed))
        return started

    def _record(self, delivery: Delivery) -> None:
        with self._lock:
            self.deliveries.append(delivery)

    def delivered_to(self, rule_name: str) -> list[Delivery]:
        with self._lock:
            return [item for item in self.deliveries if item.rule == rule_name]

    def wait_for_delivery(
        self, rule_name: str, after: int, timeout_seconds: float = 60
    ) -> Delivery:
        """The first delivery through the rule after ``after`` earlier ones, once it is done."""
        deadline = time.monotonic() + timeout_seconds
        while len(delivered := self.delivered_to(rule_name)) <= after:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing was delivered through {rule_name}")
            time.sleep(0.05)
        return delivered[after]


@dataclass
class DefaultBusRelay:
    """Forwards every event on moto's default bus (S3 notifications) to a LocalEventBridge.

    One catch-all rule with an SQS target is what moto can deliver to; a thread reads the
    queue and hands each event to the local bus, which matches the template's rules.
    """

    bridge: LocalEventBridge
    events: Any
    sqs: Any
    name: str = "sklambda-local-default-bus-relay"
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _queue_url: str = ""

    def start(self) -> "DefaultBusRelay":
        self._queue_url = self.sqs.create_queue(QueueName=self.name)["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(
            QueueUrl=self._queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        self.events.put_rule(
            Name=self.name, EventPattern=json.dumps({"account": [LOCAL_ACCOUNT]}), State="ENABLED"
        )
        self.events.put_targets(Rule=self.name, Targets=[{"Id": "relay", "Arn": queue_arn}])
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                response = self.sqs.receive_message(
                    QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
                )
            except Exception:  # the embedded AWS may be shutting down
                if self._stop.is_set():
                    return
                raise
            for message in response.get("Messages", []):
                self.sqs.delete_message(
                    QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
                self.bridge.put_event(json.loads(message["Body"]))


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
