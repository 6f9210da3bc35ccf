"""The local stack at run time: functions answer Lambda calls, the event bus delivers, the
alarm evaluator raises alarms from metric data on the local clock and announces each change
on the bus, as CloudWatch does. `make demo` and `make serve` both run inside it."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sklambda_local.alarms import Evaluation, evaluate_alarms
from sklambda_local.clock import LocalClock
from sklambda_local.emf import emf_to_cloudwatch
from sklambda_local.eventbridge import (
    DefaultBusRelay,
    LocalEventBridge,
    alarm_state_change,
)
from sklambda_local.function_logs import add_listener, remove_listener
from sklambda_local.iam import platform_client
from sklambda_local.lambda_bridge import (
    InvocationLog,
    lambda_invokes_run_in_process,
    run_in_process,
)
from sklambda_local.log_subscriptions import forward_subscribed_lines
from sklambda_local.template import LocalStack


@dataclass
class LocalCloud:
    stack: LocalStack
    clock: LocalClock
    bus: LocalEventBridge
    invocations: InvocationLog
    clients: Any
    overrides: dict[str, dict[str, str]]

    def evaluate_alarms(self) -> dict[str, Evaluation]:
        """One CloudWatch evaluation of every alarm at the local clock's now."""
        return evaluate_alarms(
            self.stack, self.clients("cloudwatch"), now=self.clock.now(), on_change=self._announce
        )

    def _announce(self, alarm: dict[str, Any], previous_state: str) -> None:
        self.bus.put_event(alarm_state_change(alarm, previous_state))


@contextmanager
def local_cloud(
    stack: LocalStack,
    clients: Any,
    overrides: dict[str, dict[str, str]] | None = None,
    clock: LocalClock | None = None,
    relay_s3_events: bool = True,
) -> Iterator[LocalCloud]:
    """Lambda bridge, event bus (and the relay of S3's own events), EMF metrics, all active."""
    clock = clock or LocalClock()
    listeners = [
        emf_to_cloudwatch(lambda: platform_client("cloudwatch", clients), clock),
        # Predict capture: log lines -> the template's subscription filter -> Firehose.
        forward_subscribed_lines(stack, lambda: platform_client("firehose", clients)),
    ]
    for listener in listeners:
        add_listener(listener)
    with lambda_invokes_run_in_process(stack, overrides) as invocations:

        def run_function(logical_id: str, event: dict[str, Any]) -> tuple[Any, bool]:
            return run_in_process(stack, logical_id, event, overrides, invocations)

        bus = LocalEventBridge(stack, clients("stepfunctions"), run_function)
        relay = (
            DefaultBusRelay(bus, clients("events"), clients("sqs")).start()
            if relay_s3_events
            else None
        )
        try:
            yield LocalCloud(stack, clock, bus, invocations, clients, overrides or {})
        finally:
            if relay is not None:
                relay.stop()
            for listener in listeners:
                remove_listener(listener)
