"""Every function answers an event it was not built for in one line naming what it accepts:
the shapes `sam local generate-event` writes, and any JSON value at all."""

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batch_handler.models import ACCEPTED_EVENTS, Invocation
from drift_handler.models import DriftRunRequest, LabelFileUploaded
from retrain_handler.models import (
    EvaluateInput,
    GuardInput,
    PromoteInput,
    ReportInput,
    RollbackInput,
    TrainInput,
)
from sklambda.events import UnsupportedEventError, parse_event
from tests.conftest import EVENTS

FUNCTIONS: dict[str, tuple[Any, list[str]]] = {
    "BatchScoreFunction": (Invocation, list(ACCEPTED_EVENTS)),
    "DriftFunction": (DriftRunRequest, ["a Scheduled Event"]),
    "GroundTruthFunction": (LabelFileUploaded, ["an Object Created event"]),
    **{
        f"{model.__name__.removesuffix('Input')}Function": (model, ["the state machine's input"])
        for model in (EvaluateInput, GuardInput, PromoteInput, ReportInput, RollbackInput,
                      TrainInput)
    },
}  # fmt: skip
# Shapes generated with `sam local generate-event`, none of which any function takes.
FOREIGN = [
    "s3_delete_sam",
    "sns_notification_sam",
    "http_api_request_sam",
    "cloudwatch_logs_sam",
    "dynamodb_update_sam",
    "sqs_message_sam",
]


def _answer(function: str, event: Any) -> Any:
    model, accepted = FUNCTIONS[function]
    try:
        return parse_event(event, model, function, accepted)
    except UnsupportedEventError as refused:
        message = str(refused)
        assert "\n" not in message
        assert message.startswith(f"{function} accepts {accepted[0]}")
        return refused


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
@pytest.mark.parametrize("name", FOREIGN)
def test_generated_events_of_other_services_are_refused_in_one_line(function, name):
    event = json.loads((EVENTS / f"{name}.json").read_text())
    answer = _answer(function, event)
    # An S3 notification is BatchScoreFunction's own; it reads it and ignores the deletion.
    expected = function == "BatchScoreFunction" and name == "s3_delete_sam"
    assert isinstance(answer, UnsupportedEventError) is not expected


def test_a_drift_run_is_a_schedule_or_an_empty_invoke_not_any_event():
    for name in ("scheduled_event_sam", "drift_schedule"):
        event = json.loads((EVENTS / f"{name}.json").read_text())
        assert isinstance(_answer("DriftFunction", event), DriftRunRequest)
    assert isinstance(_answer("DriftFunction", {}), DriftRunRequest)
    assert isinstance(_answer("DriftFunction", {"Records": []}), UnsupportedEventError)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["Records", "detail", "time", "version", "run_id", "source", "x"])
            | st.text(max_size=5),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(function=st.sampled_from(sorted(FUNCTIONS)), event=_JSON)
def test_any_json_event_is_parsed_or_refused_in_one_line(function, event):
    _answer(function, event)
