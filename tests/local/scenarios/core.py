"""What a scenario is made of, and what the session seeded before any of them runs."""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sklambda.registry.manifest import Manifest
from sklambda.registry.store import ModelRegistry
from sklambda.training.data import TrainingData
from sklambda.training.train import TrainedModel
from sklambda_local.sam_local import LocalAws
from tests.conftest import EVENTS


@dataclass(frozen=True)
class Seeded:
    """What the session seeded into the embedded AWS before any function runs."""

    aws: LocalAws
    champion: Manifest
    champion_model: TrainedModel
    data: TrainingData
    expected_probabilities: dict[str, list[float]]

    def registry(self) -> ModelRegistry:
        return self.aws.registry()

    def s3(self) -> Any:
        return self.aws.client("s3")

    def read_json(self, key: str) -> Any:
        return json.loads(self.read_text(key))

    def put_text(self, key: str, text: str) -> None:
        self.s3().put_object(Bucket=self.aws.bucket, Key=key, Body=text.encode())

    def read_text(self, key: str) -> str:
        body = self.s3().get_object(Bucket=self.aws.bucket, Key=key)["Body"].read()
        return str(body.decode())

    def key_of(self, uri: str) -> str:
        prefix = f"s3://{self.aws.bucket}/"
        assert uri.startswith(prefix), f"{uri} is not in the model bucket"
        return uri.removeprefix(prefix)


EventFields = Mapping[str, Any]
# Seeds what the function reads; returns the event fields only known once seeded (a version id).
Prepare = Callable[[Seeded], EventFields | None]
# The real response, the session, and the event as sent.
Check = Callable[[Any, Seeded, dict[str, Any]], None]
# Puts back what the scenario changed that other scenarios rely on (the champion, the lock).
Restore = Callable[[Seeded], None]


@dataclass(frozen=True)
class Scenario:
    event: str
    check: Check
    prepare: Prepare | None = None
    restore: Restore | None = None

    @property
    def event_path(self) -> Path:
        return EVENTS / f"{self.event}.json"

    def event_with(self, fields: EventFields | None) -> dict[str, Any]:
        """The event file with the prepared fields put in (each must be one the file has)."""
        event = json.loads(self.event_path.read_text())
        unknown = set(fields or {}) - set(event)
        assert not unknown, f"{self.event_path.name} has no fields {sorted(unknown)}"
        return {**event, **(fields or {})}


def check_no_error(payload: Any, _: Seeded, __: dict[str, Any]) -> None:
    assert payload is not None, "the function returned nothing"
    if isinstance(payload, dict):
        assert "errorType" not in payload, payload
        assert int(payload.get("statusCode", 200)) < 400, payload
