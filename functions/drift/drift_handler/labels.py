"""Ground-truth label files: CSV with a header, or JSON Lines; one label per request row.

Columns (CSV) or keys (JSON Lines): ``request_id`` and ``label`` are required, ``row`` is
the row's index in its request or batch file (0 when absent).
"""

import csv
import io
import json
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from sklambda.errors import SklambdaError


class LabelFileError(SklambdaError):
    """A label file cannot be read; the message names the line."""


class Label(BaseModel):
    request_id: str = Field(min_length=1)
    row: int = Field(default=0, ge=0)
    label: str | int | float


def parse_labels(key: str, body: bytes) -> list[Label]:
    text = body.decode("utf-8-sig")
    if key.endswith((".jsonl", ".json", ".ndjson")):
        items = _json_lines(text)
    elif key.endswith(".csv"):
        items = list(csv.DictReader(io.StringIO(text)))
    else:
        raise LabelFileError(f"{key}: label files must end in .csv or .jsonl")
    labels = []
    for line, item in enumerate(items, 2 if key.endswith(".csv") else 1):
        cleaned = {name: value for name, value in item.items() if value not in ("", None)}
        try:
            labels.append(Label.model_validate(cleaned))
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(map(str, problem['loc']))}: {problem['msg']}"
                for problem in error.errors()
            )
            raise LabelFileError(f"{key} line {line}: {problems}") from error
    return labels


def _json_lines(text: str) -> list[dict[str, Any]]:
    items = []
    for line, content in enumerate(text.splitlines(), 1):
        if not content.strip():
            continue
        try:
            item = json.loads(content)
        except json.JSONDecodeError as error:
            raise LabelFileError(f"line {line} is not JSON: {error.msg}") from error
        if not isinstance(item, dict):
            raise LabelFileError(f"line {line} is not a JSON object")
        items.append(item)
    return items
