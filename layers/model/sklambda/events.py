"""Events a function cannot take are answered with one line naming the kinds it accepts.

Powertools' parser validates the event against the function's models; pydantic's report of
a union that fits nothing runs to many lines about discriminators and fields. Lambda shows
the error message to whoever invoked the function, so it says what was expected instead.
"""

import functools
from collections.abc import Callable, Sequence
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
        foreign = isinstance(event, dict) and "Records" in event
        if not problem or foreign or "Unable to extract tag" in problem:
            problem = describe(event)
        kinds = (
            accepted[-1] if len(accepted) < 2 else f"{', '.join(accepted[:-1])} or {accepted[-1]}"
        )
        # Keys and values come from the caller: one line, whatever they hold.
        problem = " ".join(problem.split())[:300]
        raise UnsupportedEventError(
            f"{function} accepts {kinds}; this event is none of them ({problem})"
        ) from None


def accepts(
    model: Any, function: str, accepted: Sequence[str]
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a handler whose event is ``model``: any other event fails in one line naming
    the kinds ``function`` accepts (Powertools' event_parser would raise pydantic's report)."""

    def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(handler)
        def parsed(event: Any, context: Any) -> Any:
            return handler(parse_event(event, model, function, accepted), context)

        return parsed

    return decorate
