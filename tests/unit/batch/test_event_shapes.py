"""Every event shape a user can produce reaches BatchScoreFunction as what it is, or is
answered with one line naming the kinds the function accepts."""

import json
import random
from typing import Any

import pytest

from batch_handler.models import (
    ACCEPTED_EVENTS,
    Invocation,
    S3NotificationEvent,
    SweepEvent,
)
from sklambda.events import UnsupportedEventError, parse_event
from tests.conftest import EVENTS


def _event(name: str) -> object:
    return json.loads((EVENTS / f"{name}.json").read_text())


def _parse(event: object) -> object:
    return parse_event(event, Invocation, "BatchScoreFunction", ACCEPTED_EVENTS)


def test_sams_s3_put_event_is_an_s3_notification_with_its_key_decoded():
    parsed = _parse(_event("batch_s3_notification"))
    assert isinstance(parsed, S3NotificationEvent)
    (ref,) = parsed.object_refs()
    assert (ref.bucket, ref.key, ref.size) == (
        "sklambda-local-modelbucket",
        "incoming/generated/sam put.csv",
        1024,
    )


@pytest.mark.parametrize("name", ["scheduled_event_sam", "batch_scheduled_sweep"])
def test_scheduled_events_with_or_without_a_version_are_the_sweep(name):
    assert isinstance(_parse(_event(name)), SweepEvent)


@pytest.mark.parametrize(
    "event",
    [
        _event("sqs_message_sam"),
        _event("predict_one_row"),
        {"detail-type": "Object Created", "detail": {}},
        {"Records": [{"eventName": "ObjectCreated:Put"}]},
        [],
        "incoming/file.csv",
        None,
    ],
)
def test_any_other_shape_gets_one_line_naming_the_accepted_kinds(event):
    with pytest.raises(UnsupportedEventError) as refused:
        _parse(event)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith('BatchScoreFunction accepts an S3 "Object Created" event')
    assert "S3 event notification (Records)" in message
    assert "Scheduled Event" in message


_KEYS = ["Records", "detail-type", "action", "detail", "version", "time", "s3", "x"]
_LEAVES: list[Any] = [None, True, 0, -1, 2.5, "", "Object Created", "Scheduled Event", "merge"]


def _value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 2 or roll < 0.5:
        return rng.choice(_LEAVES)
    if roll < 0.75:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(_KEYS): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def test_fuzzed_events_parse_or_are_refused_in_one_line():
    rng = random.Random(13)
    for _ in range(500):
        event = {rng.choice(_KEYS): _value(rng, 0) for _ in range(rng.randint(0, 5))}
        refusals = []
        try:
            _parse(event)
        except UnsupportedEventError as error:
            refusals.append(str(error))
        assert all("\n" not in message for message in refusals), event
