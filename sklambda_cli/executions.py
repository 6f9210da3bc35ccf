"""Following a Step Functions execution: wait for it, hear each state as it is entered.

The CLI's `retrain --wait` and the local demo both use it, against AWS or the embedded one.
"""

import time
from collections.abc import Callable
from typing import Any

ENTERED_SUFFIX = "StateEntered"


def wait_for_execution(
    sfn: Any,
    execution_arn: str,
    timeout_seconds: float | None = 60,
    on_state: Callable[[str], None] | None = None,
    poll_seconds: float = 0.05,
) -> dict[str, Any]:
    """Poll until the execution ends; ``on_state`` hears each state's name as it is entered."""
    deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
    reported = 0
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        finished = described["status"] != "RUNNING"
        if on_state is not None:
            names = entered_states(sfn, execution_arn)
            for name in names[reported:]:
                on_state(name)
            reported = len(names)
        if finished:
            return described
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"{execution_arn} still runs after {timeout_seconds:.0f}s")
        time.sleep(poll_seconds)


def entered_states(sfn: Any, execution_arn: str) -> list[str]:
    """The states the execution has entered, in order, from its history."""
    names: list[str] = []
    paginator = sfn.get_paginator("get_execution_history")
    for page in paginator.paginate(executionArn=execution_arn):
        for event in page["events"]:
            if event["type"].endswith(ENTERED_SUFFIX):
                names.append(event["stateEnteredEventDetails"]["name"])
    return names
