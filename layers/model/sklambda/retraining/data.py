"""Training rows for a retraining run, read from S3, shaped by the champion's feature schema.

Contracts (documented in docs/retraining.md):
  training/**.csv           header row; the champion's feature columns and its target column.
  labelled/<model>/**.jsonl one object per line: {"features": {<name>: value, ...}, "label": v};
                            other keys (request_id, model_version, labelled_at) are ignored.
  labelled/<model>/**.csv   what ground-truth monitoring writes: feature and target columns.
  Labelled objects are ordered by LastModified then key, so the newest rows come last.
"""

import csv
import io
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from sklambda.errors import TrainingDataError
from sklambda.schema import BOOLEAN_TEXT, FeatureKind, FeatureSchema
from sklambda.storage.objects import ListedObject, S3Objects
from sklambda.training.data import (
    MISSING_MARKERS,
    TrainingData,
    comma_decimals,
    decode_text,
    delimiter_of,
    number_from_text,
    parse_target,
)


@dataclass(frozen=True)
class Example:
    features: dict[str, Any]
    label: Any


def _objects(
    s3: Any, bucket: str, prefix: str, suffix: str | tuple[str, ...]
) -> list[ListedObject]:
    found = [item for item in S3Objects(s3, bucket).list(prefix) if item.key.endswith(suffix)]
    return sorted(found, key=lambda item: (item.last_modified, item.key))


def _body(s3: Any, bucket: str, key: str) -> str:
    # Read as `sklambda train` reads a CSV: UTF-8 or UTF-16, commas or another separator.
    return decode_text(S3Objects(s3, bucket).read_bytes(key), f"s3://{bucket}/{key}")


def parse_csv(text: str, target: str, where: str) -> Iterator[Example]:
    delimiter = delimiter_of(text)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    if reader.fieldnames is None or target not in reader.fieldnames:
        raise TrainingDataError(f"{where} has no target column {target!r}")
    for row in reader:
        features = comma_decimals(row) if delimiter != "," else dict(row)
        label = features.pop(target)
        yield Example(features=features, label=label)


def read_csv_examples(s3: Any, bucket: str, prefix: str, target: str) -> list[Example]:
    examples: list[Example] = []
    for item in _objects(s3, bucket, prefix, ".csv"):
        where = f"s3://{bucket}/{item.key}"
        examples.extend(parse_csv(_body(s3, bucket, item.key), target, where))
    return examples


def parse_jsonl(text: str, where: str) -> Iterator[Example]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            yield Example(features=dict(record["features"]), label=record["label"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            raise TrainingDataError(
                f'{where} line {number} is not {{"features": {{...}}, "label": ...}}: {error}'
            ) from error


def read_labelled_examples(
    s3: Any, bucket: str, prefix: str, target: str, since: datetime | None = None
) -> list[Example]:
    examples: list[Example] = []
    for item in _objects(s3, bucket, prefix, (".jsonl", ".csv")):
        if since is not None and item.last_modified < since:
            continue
        where = f"s3://{bucket}/{item.key}"
        text = _body(s3, bucket, item.key)
        if item.key.endswith(".csv"):
            examples.extend(parse_csv(text, target, where))
        else:
            examples.extend(parse_jsonl(text, where))
    return examples


def write_jsonl_object(s3: Any, bucket: str, key: str, examples: Sequence[Example]) -> None:
    S3Objects(s3, bucket).put(key, to_jsonl(examples))


def read_jsonl_object(s3: Any, bucket: str, key: str) -> list[Example]:
    return list(parse_jsonl(_body(s3, bucket, key), f"s3://{bucket}/{key}"))


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and value.strip().lower() in MISSING_MARKERS


def _flag(value: Any) -> float:
    """true/false as the model sees it; JSON booleans, CSV text or 0/1 numbers."""
    if _is_missing(value):
        return math.nan
    text = str(value).strip().lower()
    if text in BOOLEAN_TEXT:
        return BOOLEAN_TEXT[text]
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if number in (0.0, 1.0):
        return number
    raise TrainingDataError(f"{value!r:.40} is not true or false")


def to_training_data(
    schema: FeatureSchema, target_name: str, examples: Sequence[Example], source: str
) -> TrainingData:
    """Columns in the champion's order and kinds; a missing feature column is an error."""
    if not examples:
        raise TrainingDataError(f"no rows to train on from {source}")
    unlabelled = sum(_is_missing(example.label) for example in examples)
    if unlabelled:
        raise TrainingDataError(f"{unlabelled} rows from {source} have no {target_name!r} value")
    columns = []
    for feature in schema.features:
        values = [example.features.get(feature.name) for example in examples]
        absent = sum(feature.name not in example.features for example in examples)
        if absent:
            raise TrainingDataError(
                f"{absent} rows from {source} lack the champion's feature {feature.name!r}"
            )
        if feature.kind is FeatureKind.BOOLEAN:
            column = np.array([_flag(value) for value in values], dtype=np.float64)
        elif feature.kind is FeatureKind.NUMERIC:
            try:
                column = np.array(
                    [
                        math.nan if _is_missing(value) else number_from_text(str(value))
                        for value in values
                    ],
                    dtype=np.float64,
                )
            except (TypeError, ValueError) as error:
                raise TrainingDataError(
                    f"feature {feature.name!r} from {source} is not numeric: {error}"
                ) from error
        else:
            column = np.empty(len(values), dtype=object)
            column[:] = [None if _is_missing(value) else str(value) for value in values]
        columns.append(column)
    return TrainingData(
        feature_names=schema.names,
        columns=columns,
        target=parse_target([example.label for example in examples]),
        target_name=target_name,
        source=source,
        boolean_features=frozenset(
            feature.name for feature in schema.features if feature.kind is FeatureKind.BOOLEAN
        ),
    )


def split_fresh_holdout(
    labelled: Sequence[Example], fraction: float, min_rows: int
) -> tuple[list[Example], list[Example]]:
    """The newest labelled rows judge the models when there are enough of them; they are then
    kept out of training so neither model has seen them."""
    size = int(len(labelled) * fraction)
    if size < min_rows:
        return list(labelled), []
    return list(labelled[:-size]), list(labelled[-size:])


def examples_from_matrix(
    names: Sequence[str], matrix: np.ndarray, target: np.ndarray
) -> list[Example]:
    def plain(value: Any) -> Any:
        value = value.item() if hasattr(value, "item") else value
        return None if isinstance(value, float) and math.isnan(value) else value

    return [
        Example(
            features={name: plain(value) for name, value in zip(names, row, strict=True)},
            label=plain(label),
        )
        for row, label in zip(matrix, target, strict=True)
    ]


def to_jsonl(examples: Sequence[Example]) -> bytes:
    return "".join(
        json.dumps({"features": example.features, "label": example.label}) + "\n"
        for example in examples
    ).encode()
