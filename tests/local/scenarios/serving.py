"""PredictFunction: one row through the API event, answered by the session's champion."""

import json
import math
from typing import Any

from tests.local.scenarios.core import Scenario, Seeded


def check_prediction(payload: Any, seeded: Seeded, _: dict[str, Any]) -> None:
    assert payload["statusCode"] == 200, payload
    body = json.loads(payload["body"])
    assert body["model_version"] == seeded.champion.version
    assert body["model_name"] == seeded.champion.model_name
    assert len(body["predictions"]) == 1
    assert body["predictions"][0] in (seeded.champion.classes or [])
    expected = seeded.expected_probabilities["predict_one_row"]
    served = [body["probabilities"][0][str(label)] for label in seeded.champion.classes or []]
    assert all(math.isclose(a, b, abs_tol=1e-9) for a, b in zip(served, expected, strict=True))


SERVING = {"PredictFunction": Scenario("predict_one_row", check_prediction)}
