"""S3's own EventBridge notifications, as the embedded S3 emits them after each write, matched
by the template's rules through the relay `make serve` runs (sklambda_local.eventbridge).

Tests that invoke a function themselves (to look at its answer) take the event a rule would
have delivered from here: the bus records each delivery instead of running the target.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sklambda import aws
from sklambda_local.eventbridge import DefaultBusRelay, LocalEventBridge
from sklambda_local.template import LocalStack

BATCH_UPLOAD_RULE = "BatchScoreFunction.ObjectCreated"


@dataclass
class S3Notifications:
    bus: LocalEventBridge

    def delivered(
        self, rule: str, key: str, version_id: str | None, timeout_seconds: float = 30
    ) -> dict[str, Any]:
        """The event ``rule`` delivered for this version of ``key``, once it arrives."""
        deadline = time.monotonic() + timeout_seconds
        while True:
            for delivery in self.bus.delivered_to(rule):
                described = delivery.event["detail"]["object"]
                if described["key"] == key and described.get("version-id") == version_id:
                    return delivery.event
            if time.monotonic() > deadline:
                raise TimeoutError(f"{rule} delivered no event for {key} ({version_id})")
            time.sleep(0.02)


def _record_only(logical_id: str, event: dict[str, Any]) -> tuple[Any, bool]:
    return None, False


@contextmanager
def s3_notifications(stack: LocalStack) -> Iterator[S3Notifications]:
    """Inside the embedded AWS, with the stack's bucket provisioned (EventBridge enabled)."""
    bus = LocalEventBridge(stack, aws.client("stepfunctions"), _record_only)
    relay = DefaultBusRelay(bus, aws.client("events"), aws.client("sqs")).start()
    try:
        yield S3Notifications(bus)
    finally:
        relay.stop()
