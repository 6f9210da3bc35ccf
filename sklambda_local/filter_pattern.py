"""CloudWatch Logs JSON filter patterns, e.g. ``{ ($.source = "predict") && ($.n > 1) }``.

moto matches no JSON patterns, so the local log subscription evaluates the template's own
pattern here. Only the JSON form is understood (comparisons joined by && and ||, with
parentheses); anything else raises, so the template cannot use a pattern the local loop
would silently get wrong.
"""

import fnmatch
import json
import re
from collections.abc import Callable
from typing import Any

Predicate = Callable[[Any], bool]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<group>[()])
      | (?P<logic>&&|\|\|)
      | (?P<selector>\$(?:\.[A-Za-z_][A-Za-z0-9_]*)+)
      | (?P<operator>!=|<=|>=|=|<|>)
      | (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?)
    )""",
    re.VERBOSE,
)
_MISSING = object()


class FilterPatternError(ValueError):
    pass


def _tokens(body: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(body.rstrip()):
        match = _TOKEN.match(body, position)
        if match is None:
            raise FilterPatternError(f"cannot read the filter pattern at {body[position:]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _lookup(document: Any, selector: str) -> Any:
    for name in selector.split(".")[1:]:
        if not isinstance(document, dict) or name not in document:
            return _MISSING
        document = document[name]
    return document


def _comparison(selector: str, operator: str, kind: str, literal: str) -> Predicate:
    if kind == "number":
        expected = float(literal)

        def compare_number(document: Any) -> bool:
            value = _lookup(document, selector)
            if isinstance(value, bool) or not isinstance(value, int | float):
                return operator == "!="
            return {
                "=": value == expected,
                "!=": value != expected,
                "<": value < expected,
                ">": value > expected,
                "<=": value <= expected,
                ">=": value >= expected,
            }[operator]

        return compare_number
    if operator not in {"=", "!="}:
        raise FilterPatternError(f"{operator} compares numbers only, not {literal}")
    text = json.loads(literal)

    def compare_text(document: Any) -> bool:
        value = _lookup(document, selector)
        matched = isinstance(value, str) and fnmatch.fnmatchcase(value, text)
        return matched if operator == "=" else not matched

    return compare_text


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self._tokens = tokens
        self._next = 0

    def _take(self, *kinds: str) -> tuple[str, str]:
        if self._next >= len(self._tokens) or self._tokens[self._next][0] not in kinds:
            found = self._tokens[self._next][1] if self._next < len(self._tokens) else "the end"
            raise FilterPatternError(f"expected {' or '.join(kinds)}, found {found}")
        token = self._tokens[self._next]
        self._next += 1
        return token

    def _peek(self) -> str | None:
        return self._tokens[self._next][1] if self._next < len(self._tokens) else None

    def expression(self) -> Predicate:
        terms = [self._term()]
        logic = None
        while self._peek() in {"&&", "||"}:
            _, operator = self._take("logic")
            if logic not in {None, operator}:
                raise FilterPatternError("mixing && and || needs parentheses")
            logic = operator
            terms.append(self._term())
        if logic == "||":
            return lambda document: any(term(document) for term in terms)
        return lambda document: all(term(document) for term in terms)

    def _term(self) -> Predicate:
        if self._peek() == "(":
            self._take("group")
            inner = self.expression()
            if self._take("group")[1] != ")":
                raise FilterPatternError("unbalanced parentheses")
            return inner
        _, selector = self._take("selector")
        _, operator = self._take("operator")
        kind, literal = self._take("string", "number")
        return _comparison(selector, operator, kind, literal)

    def done(self) -> None:
        if self._next != len(self._tokens):
            raise FilterPatternError(f"unexpected {self._tokens[self._next][1]}")


def json_filter_pattern(pattern: str) -> Callable[[str], bool]:
    """A matcher of log messages for a JSON filter pattern; non-JSON messages never match."""
    text = pattern.strip()
    if not (text.startswith("{") and text.endswith("}")):
        raise FilterPatternError(f"only JSON filter patterns are supported locally: {pattern!r}")
    parser = _Parser(_tokens(text[1:-1]))
    predicate = parser.expression()
    parser.done()

    def matches(message: str) -> bool:
        if not message.lstrip().startswith("{"):
            return False
        try:
            document = json.loads(message)
        except json.JSONDecodeError:
            return False
        return predicate(document)

    return matches
