"""What `sam local invoke` sends to each template function, and what its real response must show.

Every function in template.yaml is invoked (tests/local/test_invoke.py parametrizes over the
template). A function is covered by, in this order:

1. an entry in ``SCENARIOS``: the event file, a ``check`` of the response, and optionally a
   ``prepare`` that seeds what the function reads (captured rows, an incoming file, ...);
2. the naming convention ``events/local_<snake_case name without "Function">.json`` (for
   ``BatchScoreFunction``: ``events/local_batch_score.json``), checked only for an error-free
   response;
3. neither: the test fails and says which of the two to add.
"""

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sklambda.registry.manifest import Manifest
from sklambda_local.sam_local import LocalAws
from tests.conftest import EVENTS


@dataclass(frozen=True)
class Seeded:
    """What the session seeded into the embedded AWS before any function runs."""

    aws: LocalAws
    champion: Manifest
    expected_probabilities: dict[str, list[float]]


Check = Callable[[Any, Seeded], None]
Prepare = Callable[[Seeded], None]


@dataclass(frozen=True)
class Scenario:
    event: str
    check: Check
    prepare: Prepare | None = None

    @property
    def event_path(self) -> Path:
        return EVENTS / f"{self.event}.json"


def check_no_error(payload: Any, _: Seeded) -> None:
    assert payload is not None, "the function returned nothing"
    if isinstance(payload, dict):
        assert "errorType" not in payload, payload
        assert int(payload.get("statusCode", 200)) < 400, payload


def check_prediction(payload: Any, seeded: Seeded) -> None:
    assert payload["statusCode"] == 200, payload
    body = json.loads(payload["body"])
    assert body["model_version"] == seeded.champion.version
    assert body["model_name"] == seeded.champion.model_name
    assert len(body["predictions"]) == 1
    assert body["predictions"][0] in (seeded.champion.classes or [])
    expected = seeded.expected_probabilities["predict_one_row"]
    served = [body["probabilities"][0][str(label)] for label in seeded.champion.classes or []]
    assert all(math.isclose(a, b, abs_tol=1e-9) for a, b in zip(served, expected, strict=True))


LOCAL_BATCH_KEY = "incoming/sam-local/two-rows.csv"


def seed_incoming_file(seeded: Seeded) -> None:
    names = seeded.champion.feature_schema.names
    row = ",".join(["10.0"] * len(names))
    body = "id," + ",".join(names) + f"\nfirst,{row}\nbad,1,2\n"
    seeded.aws.client("s3").put_object(
        Bucket=seeded.aws.bucket, Key=LOCAL_BATCH_KEY, Body=body.encode()
    )


def check_batch_sweep(payload: Any, seeded: Seeded) -> None:
    check_no_error(payload, seeded)
    (started,) = [item for item in payload["started"] if item["key"] == LOCAL_BATCH_KEY]
    summary = started["summary"]
    assert summary["status"] == "succeeded", summary
    assert (summary["rows_read"], summary["rows_scored"], summary["rows_rejected"]) == (2, 1, 1)
    assert summary["model_version"] == seeded.champion.version
    scored = seeded.aws.client("s3").get_object(
        Bucket=seeded.aws.bucket, Key="scored/sam-local/two-rows.csv"
    )
    assert scored["Body"].read().decode().splitlines()[1].startswith("first,10.0")


SCENARIOS: dict[str, Scenario] = {
    "PredictFunction": Scenario("predict_one_row", check_prediction),
    # The scheduled sweep finds the seeded upload in incoming/ and scores it in the container.
    "BatchScoreFunction": Scenario("batch_scheduled_sweep", check_batch_sweep, seed_incoming_file),
}


def conventional_event(function: str) -> str:
    stem = function.removesuffix("Function")
    return "local_" + re.sub(r"(?<!^)(?=[A-Z])", "_", stem).lower()


def scenario_for(function: str) -> Scenario:
    if function in SCENARIOS:
        return SCENARIOS[function]
    fallback = Scenario(conventional_event(function), check_no_error)
    if not fallback.event_path.is_file():
        raise LookupError(
            f"{function} has no local scenario: add one to SCENARIOS in {Path(__file__).name} "
            f"or an event events/{fallback.event}.json"
        )
    return fallback
