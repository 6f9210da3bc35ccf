"""Turn a chunk of lines into a feature matrix plus the rows that failed, each with a reason.

Clean numeric CSV goes through numpy's C parser in one call; a chunk that it refuses is
bisected so only the halves holding bad rows fall back to the per-row parser, which is the
authority on every reason. Every non-blank line ends up either accepted or rejected.
"""

import io
import json
import math
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np

from batch_handler.formats import CsvLineError, FileFormat, Layout, Undecodable, split_csv_line
from sklambda import json_input
from sklambda.schema import BOOLEAN_TEXT, FeatureKind, SchemaValidationError, validate_instances
from sklambda.training.data import MISSING_MARKERS, THOUSANDS_NUMBER

_SMALLEST_BISECTED = 32
NOT_UTF8 = "the line is not valid UTF-8 text (shown here decoded as Latin-1)"
# What float() accepts beyond this (1_000, non-ASCII digits such as ٣) is refused.
_ASCII_NUMBER = re.compile(
    r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)", re.ASCII | re.IGNORECASE
)


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str
    record: str


@dataclass
class ParsedChunk:
    """Accepted rows (matrix and raw text, same order) and rejected rows, in line order."""

    features: np.ndarray
    records: list[str]
    rejected: list[Rejected] = field(default_factory=list)
    blank_lines: int = 0

    @property
    def rows_read(self) -> int:
        return len(self.records) + len(self.rejected)


Line = tuple[int, str]


def parse_chunk(layout: Layout, lines: Sequence[str], first_line: int) -> ParsedChunk:
    """``lines[i]`` is line ``first_line + i`` of the file; Undecodable marks lines that are
    not UTF-8. Never raises on any text: every line is accepted, rejected or blank."""
    rejected = [
        Rejected(first_line + offset, NOT_UTF8, text)
        for offset, text in enumerate(lines)
        if isinstance(text, Undecodable)
    ]
    candidates = [
        (first_line + offset, text)
        for offset, text in enumerate(lines)
        if text and not text.isspace() and not isinstance(text, Undecodable)
    ]
    blank = len(lines) - len(candidates) - len(rejected)
    if layout.format is FileFormat.CSV:
        accepted, matrix, refused = _parse_csv(layout, candidates)
    else:
        accepted, matrix, refused = _parse_json_lines(layout, candidates)
    rejected.extend(refused)
    rejected.sort(key=operator.attrgetter("line"))
    return ParsedChunk(matrix, [text for _, text in accepted], rejected, blank)


def _empty(layout: Layout) -> np.ndarray:
    dtype = np.float64 if layout.schema.float_matrix else object
    return np.empty((0, len(layout.names)), dtype=dtype)


Outcome = tuple[list[Line], np.ndarray, list[Rejected]]


# ---------------------------------------------------------------- CSV


def _parse_csv(layout: Layout, candidates: list[Line]) -> Outcome:
    expected = layout.column_count - 1
    suspects = {
        index
        for index, (_, text) in enumerate(candidates)
        if text.count(",") != expected or '"' in text or "\r" in text
    }
    shaped = [row for index, row in enumerate(candidates) if index not in suspects]
    rejected: list[Rejected] = []
    for index in sorted(suspects):
        number, text = candidates[index]
        problem = _shape_problem(layout, text)
        if problem:
            rejected.append(Rejected(number, problem, text))
        else:
            shaped.append((number, text))
    if suspects:
        shaped.sort(key=operator.itemgetter(0))
    if not layout.schema.all_numeric:
        accepted, matrix, refused = _csv_rows_one_by_one(layout, shaped)
    else:
        accepted, matrix, refused = _csv_fast(layout, shaped)
    return accepted, matrix, rejected + refused


def _shape_problem(layout: Layout, text: str) -> str | None:
    if '"' not in text and "\r" not in text:
        fields = text.count(",") + 1
    elif text.count('"') % 2:
        return "unterminated quoted field (a quoted value cannot span lines)"
    else:
        try:
            fields = len(split_csv_line(text))
        except CsvLineError as error:
            return str(error)
    if fields != layout.column_count:
        return _field_count(fields, layout)
    return None


def _field_count(fields: int, layout: Layout) -> str:
    return f"has {fields} fields; the header has {layout.column_count}"


def _loadtxt(layout: Layout, rows: list[Line]) -> np.ndarray:
    return np.loadtxt(
        io.StringIO("\n".join(text for _, text in rows)),
        delimiter=",",
        quotechar='"',
        comments=None,
        usecols=layout.feature_columns,
        dtype=np.float64,
        ndmin=2,
    )


def _csv_fast(layout: Layout, rows: list[Line]) -> Outcome:
    if not rows:
        return [], _empty(layout), []
    try:
        matrix = _loadtxt(layout, rows)
    except ValueError:
        if len(rows) <= _SMALLEST_BISECTED:
            return _csv_rows_one_by_one(layout, rows)
        middle = len(rows) // 2
        left, right = _csv_fast(layout, rows[:middle]), _csv_fast(layout, rows[middle:])
        return left[0] + right[0], np.concatenate([left[1], right[1]]), left[2] + right[2]
    suspicious = _nonfinite_rows(matrix)
    if not suspicious.any():
        return rows, matrix, []
    # NaN and infinity parse as numbers; the per-row parser decides what they mean.
    clean = [row for row, bad in zip(rows, suspicious.tolist(), strict=True) if not bad]
    recheck = [row for row, bad in zip(rows, suspicious.tolist(), strict=True) if bad]
    accepted, rematrix, rejected = _csv_rows_one_by_one(layout, recheck)
    return _merge_in_line_order(clean, matrix[~suspicious], accepted, rematrix, rejected)


def _nonfinite_rows(matrix: np.ndarray) -> np.ndarray:
    return (
        np.asarray(~np.isfinite(matrix).all(axis=1)) if matrix.size else np.zeros(len(matrix), bool)
    )


def _merge_in_line_order(
    first: list[Line],
    first_matrix: np.ndarray,
    second: list[Line],
    second_matrix: np.ndarray,
    rejected: list[Rejected],
) -> Outcome:
    rows = first + second
    matrix = np.concatenate([first_matrix, second_matrix])
    order = sorted(range(len(rows)), key=lambda index: rows[index][0])
    return [rows[index] for index in order], matrix[order], rejected


def _csv_rows_one_by_one(layout: Layout, rows: list[Line]) -> Outcome:
    accepted: list[Line] = []
    values: list[list[Any]] = []
    rejected: list[Rejected] = []
    features = layout.schema.features
    for number, text in rows:
        try:
            fields = split_csv_line(text)
        except CsvLineError as error:
            rejected.append(Rejected(number, str(error), text))
            continue
        if len(fields) != layout.column_count:
            rejected.append(Rejected(number, _field_count(len(fields), layout), text))
            continue
        row: list[Any] = []
        problems = []
        for feature, column in zip(features, layout.feature_columns, strict=True):
            value, problem = _csv_value(feature.kind, feature.allows_missing, fields[column])
            row.append(value)
            if problem:
                problems.append(f"feature '{feature.name}': {problem}")
        if problems:
            rejected.append(Rejected(number, "; ".join(problems), text))
        else:
            accepted.append((number, text))
            values.append(row)
    dtype = np.float64 if layout.schema.float_matrix else object
    matrix = np.array(values, dtype=dtype).reshape(len(values), len(features))
    return accepted, matrix, rejected


def _csv_value(kind: FeatureKind, allows_missing: bool, raw: str) -> tuple[Any, str | None]:
    text = raw.strip()
    if text.lower() in MISSING_MARKERS:
        if allows_missing:
            return (None if kind is FeatureKind.CATEGORICAL else math.nan), None
        return None, "is missing but the model was trained without missing values"
    if kind is FeatureKind.CATEGORICAL:
        return text, None
    if kind is FeatureKind.BOOLEAN:
        flag = BOOLEAN_TEXT.get(text.lower())
        return (
            (flag, None)
            if flag is not None
            else (None, f"expected true or false, got {text!r:.40}")
        )
    if THOUSANDS_NUMBER.fullmatch(text):  # "12,345" as training reads it
        text = text.replace(",", "")
    if not _ASCII_NUMBER.fullmatch(text):
        return None, f"expected a number, got {text!r:.40}"
    number = float(text)
    if math.isinf(number):
        return None, "infinity is not allowed"
    return number, None


# ---------------------------------------------------------------- JSON Lines


def _parse_json_lines(layout: Layout, candidates: list[Line]) -> Outcome:
    if not candidates:
        return [], _empty(layout), []
    try:
        objects = json.loads("[" + ",".join(text for _, text in candidates) + "]")
        if len(objects) != len(candidates):
            raise ValueError("a line held more than one value")
    except (ValueError, RecursionError):  # bad JSON, 4,300+ digit integers, deep nesting
        return _json_rows_one_by_one(layout, candidates, None)
    if layout.schema.all_numeric and all(type(item) is dict for item in objects):
        getter = operator.itemgetter(*layout.names)
        try:
            tuples = [getter(item) for item in objects]
        except KeyError:
            tuples = []
        if tuples:
            if len(layout.names) == 1:
                tuples = [(value,) for value in tuples]
            if set(map(type, chain.from_iterable(tuples))) <= {int, float}:
                try:
                    matrix = np.array(tuples, dtype=np.float64)
                except OverflowError:  # an integer beyond float64: named row by row
                    return _json_rows_one_by_one(layout, candidates, None)
                suspicious = _nonfinite_rows(matrix)
                if not suspicious.any():
                    return candidates, matrix, []
    return _json_rows_one_by_one(layout, candidates, objects)


def _json_rows_one_by_one(layout: Layout, rows: list[Line], objects: list[Any] | None) -> Outcome:
    accepted: list[Line] = []
    matrices: list[np.ndarray] = []
    rejected: list[Rejected] = []
    names = layout.names
    for index, (number, text) in enumerate(rows):
        if objects is not None:
            item = objects[index]
        else:
            try:
                item = json_input.loads(text)
            except ValueError as error:
                rejected.append(Rejected(number, f"not valid JSON: {error}", text))
                continue
        if not isinstance(item, dict):
            rejected.append(
                Rejected(number, f"expected a JSON object, got {type(item).__name__}", text)
            )
            continue
        try:
            matrices.append(
                validate_instances(
                    layout.schema, [{name: item[name] for name in names if name in item}]
                )
            )
        except SchemaValidationError as error:
            reason = "; ".join(
                f"feature '{problem.feature}': {problem.message}" for problem in error.problems
            )
            rejected.append(Rejected(number, reason, text))
            continue
        accepted.append((number, text))
    matrix = np.concatenate(matrices) if matrices else _empty(layout)
    return accepted, matrix, rejected
