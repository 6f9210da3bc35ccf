"""Output lines: each input record verbatim with its scores appended, and rejected rows.

Records are appended to, never re-serialised, so ids, quoting and column order come out
exactly as they went in, and the cost per row is a string join.
"""

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from batch_handler.formats import OUTPUT_COLUMNS, PROBABILITY_PREFIX, FileFormat, Layout
from batch_handler.parsing import Rejected
from sklambda import json_input
from sklambda.registry.manifest import ClassLabel
from sklambda.runtime import Scores

REJECTED_CSV_HEADER = "line_number,reason,record"


def csv_field(value: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([value])
    return buffer.getvalue()


class ScoredRenderer:
    """``classes`` are the model's probability columns, None when it gives no probabilities."""

    def __init__(
        self, layout: Layout, classes: Sequence[ClassLabel] | None, model_version: str
    ) -> None:
        self._format = layout.format
        self._layout = layout
        self._classes = classes
        self._version = model_version
        labels = [str(label) for label in classes] if classes else []
        # Each class label is formatted once; a row's prediction is then a dictionary lookup.
        if self._format is FileFormat.CSV:
            self._labels = dict(zip(classes or [], map(csv_field, labels), strict=True))
            self._suffix = "," + csv_field(model_version)
        else:
            self._labels = dict(zip(classes or [], map(json.dumps, classes or []), strict=True))
            keys = [json.dumps(label) for label in labels]
            self._probability_keys = keys
            self._suffix = ',"model_version":' + json.dumps(model_version) + "}"

    def header(self) -> str | None:
        if self._format is not FileFormat.CSV:
            return None
        added = [OUTPUT_COLUMNS[0]]
        if self._classes:
            added += [csv_field(f"{PROBABILITY_PREFIX}{label}") for label in self._classes]
        added.append(OUTPUT_COLUMNS[1])
        return (self._layout.header_line or "") + "," + ",".join(added)

    def lines(self, records: list[str], scores: Scores) -> list[str]:
        if self._format is FileFormat.CSV:
            return self._csv_lines(records, scores)
        return self._json_lines(records, scores)

    def _predicted(self, scores: Scores) -> list[str]:
        if scores.probabilities is not None:
            formatted = self._labels
            return [formatted[label] for label in scores.labels.tolist()]
        # A classifier without probabilities still predicts labels: text must be quoted as
        # its format quotes it (repr would write 'yes', which is not JSON, and True for true).
        labels = scores.labels.tolist()
        if self._format is FileFormat.CSV:
            return [
                repr(value) if type(value) is float else csv_field(str(value)) for value in labels
            ]
        return [json.dumps(value) for value in labels]

    def _csv_lines(self, records: list[str], scores: Scores) -> list[str]:
        predicted = self._predicted(scores)
        suffix = self._suffix
        if scores.probabilities is None:
            return [
                f"{record},{label}{suffix}"
                for record, label in zip(records, predicted, strict=True)
            ]
        # Column by column keeps the float formatting and joining in C.
        columns = [map(repr, column) for column in scores.probabilities.T.tolist()]
        probabilities = list(map(",".join, zip(*columns, strict=True)))
        return [
            f"{record},{label},{chances}{suffix}"
            for record, label, chances in zip(records, predicted, probabilities, strict=True)
        ]

    def _json_lines(self, records: list[str], scores: Scores) -> list[str]:
        predicted = self._predicted(scores)
        suffix = self._suffix
        opened = [record.rstrip()[:-1] for record in records]
        if scores.probabilities is None:
            return [
                f'{body},"prediction":{label}{suffix}'
                for body, label in zip(opened, predicted, strict=True)
            ]
        keys = self._probability_keys
        chances = [
            "{" + ",".join(f"{key}:{value!r}" for key, value in zip(keys, row, strict=True)) + "}"
            for row in scores.probabilities.tolist()
        ]
        return [
            f'{body},"prediction":{label},"probabilities":{row}{suffix}'
            for body, label, row in zip(opened, predicted, chances, strict=True)
        ]


def rejected_header(file_format: FileFormat) -> str | None:
    return REJECTED_CSV_HEADER if file_format is FileFormat.CSV else None


def rejected_line(file_format: FileFormat, row: Rejected, line: int | None = None) -> str:
    number = row.line if line is None else line
    if file_format is FileFormat.CSV:
        return f"{number},{csv_field(row.reason)},{csv_field(row.record)}"
    document: dict[str, Any] = {"line_number": number, "reason": row.reason, "record": row.record}
    try:
        parsed = {**document, "record": json_input.loads(row.record)}
        # NaN and Infinity parse but are not JSON: such a record is kept as its text.
        return json.dumps(parsed, allow_nan=False)
    except (ValueError, RecursionError):
        return json.dumps(document)
