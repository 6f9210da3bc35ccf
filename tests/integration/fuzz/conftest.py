"""The fuzz suite's bookkeeping: every answer is checked against the documented shapes, and the
counts (cases, answers by status, 5xx) are printed at the end of the run."""

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from sklambda.api.models import ErrorResponse, PredictResponse


@dataclass
class FuzzTally:
    cases: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)

    def record(self, suite: str, event: dict[str, Any], result: dict[str, Any]) -> None:
        status = int(result["statusCode"])
        self.cases[suite] += 1
        self.statuses[status] += 1
        if status >= 500:
            self.server_errors.append(f"{status} for {event.get('httpMethod')} {event.get('path')}")


TALLY = FuzzTally()


def assert_documented_answer(event: Any, result: dict[str, Any]) -> None:
    """0 5xx; a JSON body; every error in the ErrorResponse shape with its own status."""
    status = int(result["statusCode"])
    assert status < 500, result.get("body")
    body = json.loads(result["body"])
    headers = {**(result.get("headers") or {})}
    headers.update({k: v[-1] for k, v in (result.get("multiValueHeaders") or {}).items()})
    assert headers.get("Content-Type") == "application/json"
    if status >= 400:
        error = ErrorResponse.model_validate(body)
        assert error.error.status == status
        assert set(body) == {"error", "request_id"}
    elif isinstance(event, dict) and event.get("path") == "/predict":
        PredictResponse.model_validate(body)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TALLY.cases:
        return
    cases = ", ".join(f"{suite} {count}" for suite, count in sorted(TALLY.cases.items()))
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(TALLY.statuses.items()))
    terminalreporter.write_line(
        f"API fuzz: {sum(TALLY.cases.values())} cases ({cases}); answers {statuses}; "
        f"5xx: {len(TALLY.server_errors)}"
    )


@pytest.fixture
def tally() -> FuzzTally:
    return TALLY
