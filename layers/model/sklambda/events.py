"""Events a function cannot take are answered with one line naming the kinds it accepts.

Powertools' parser validates the event against the function's models; pydantic's report of
a union that fits nothing runs to many lines about discriminators and fields. Lambda shows
the error message to whoever invoked the function, so it says what was expected instead.
"""

from collections.abc import Sequence
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.exceptions import InvalidModelTypeError
from pydantic import ValidationError

from sklambda.errors import SklambdaError


class UnsupportedEventError(SklambdaError, ValueError):
    """The event is none of the kinds the function is built for; retrying cannot help."""


def describe(event: Any) -> str:
    records = event.get("Records") if isinstance(event, dict) else None
    if isinstance(records, list) and records and isinstance(records[0], dict):
        source = records[0].get("eventSource") or records[0].get("EventSource") or "unknown"
        return f"records from {source}"
    if isinstance(event, dict):
        return "an event with top-level keys " + ", ".join(sorted(map(str, event))[:8] or ["none"])
    return f"a {type(event).__name__}"


def _first_problem(error: ValidationError) -> str:
    problems = error.errors(include_url=False)
    if not problems:
        return ""
    problem = problems[0]
    where = ".".join(
        str(part) for part in problem.get("loc", ()) if not str(part).startswith("function-")
    )
    message = str(problem.get("msg", "")).splitlines()[0]
    return f"{where}: {message}" if where else message


def parse_event(event: Any, model: Any, function: str, accepted: Sequence[str]) -> Any:
    """The event as ``model``, or UnsupportedEventError with a one-line message."""
    try:
        return parse(event=event, model=model)
    except (ValidationError, InvalidModelTypeError) as error:
        # Powertools reports a validator that tripped over the input as a model type error.
        problem = _first_problem(error) if isinstance(error, ValidationError) else ""
        detail = describe(event) if not problem or "Unable to extract tag" in problem else problem
        raise UnsupportedEventError(
            f"{function} accepts {', '.join(accepted[:-1])} or {accepted[-1]}; "
            f"this event is none of them ({detail})"
        ) from None
