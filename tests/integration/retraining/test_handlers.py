"""Handlers invoked as Lambda invokes them, with the events sam local invoke uses."""

import pytest

from sklambda_local.iam import running_as
from tests.integration.conftest import FakeLambdaContext, load_event


@pytest.fixture
def guard(registry, stack, monkeypatch):
    from retrain_handler import dependencies

    for key, value in stack.function_environment("GuardFunction").items():
        monkeypatch.setenv(key, value)
    dependencies.reset()
    from retrain_handler.handlers.guard import lambda_handler

    def invoke(event):
        with running_as(stack, "GuardFunction"):
            return lambda_handler(event, FakeLambdaContext(function_name="GuardFunction"))

    yield invoke
    dependencies.reset()


def test_the_guard_takes_the_lock_for_the_first_run_and_refuses_the_next(guard):
    event = load_event("retrain_guard_drift")
    first = guard(event)
    assert (first["acquired"], first["trigger"]["kind"]) == (True, "drift")
    second = guard({**event, "run_id": "local-run-2"})
    assert (second["acquired"], second["status"]) == (False, "running")


def test_the_guard_refuses_an_input_without_a_run_id_at_the_edge(guard):
    from sklambda.events import UnsupportedEventError

    with pytest.raises(UnsupportedEventError, match="run_id: Field required") as refused:
        guard({"event": load_event("alarm_drift_state_change")})
    assert "\n" not in str(refused.value)
