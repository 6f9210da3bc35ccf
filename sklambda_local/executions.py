"""Following a Step Functions execution in the embedded AWS: wait for it, read its path."""

import time
from collections.abc import Callable
from typing import Any

ENTERED_SUFFIX = "StateEntered"


def wait_for_execution(
    sfn: Any,
    execution_arn: str,
    timeout_seconds: float = 60,
    on_state: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Poll until the execution ends; ``on_state`` hears each state's name as it is entered."""
    deadline = time.monotonic() + timeout_seconds
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
        if time.monotonic() > deadline:
            raise TimeoutError(f"{execution_arn} still runs after {timeout_seconds:.0f}s")
        time.sleep(0.05)


def entered_states(sfn: Any, execution_arn: str) -> list[str]:
    """The states the execution has entered, in order, from its history."""
    names: list[str] = []
    paginator = sfn.get_paginator("get_execution_history")
    for page in paginator.paginate(executionArn=execution_arn):
        for event in page["events"]:
            if event["type"].endswith(ENTERED_SUFFIX):
                names.append(event["stateEnteredEventDetails"]["name"])
    return names
