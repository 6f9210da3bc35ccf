"""Training data from a CSV file or a dataset bundled with scikit-learn."""

import codecs
import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sklambda.errors import TrainingDataError

BUNDLED_DATASETS = ("breast_cancer", "wine", "iris", "diabetes")
# Compared in lower case: the spellings spreadsheets and databases export for "no value"
# (pandas reads the same ones as missing). "-" and "?" are left out: they can be categories.
MISSING_MARKERS = frozenset(
    {"", "na", "nan", "-nan", "null", "none", "n/a", "#n/a", "#na", "<na>", "#n/a n/a", "nil"}
)
# 12,345 and 1,234,567.5 as spreadsheets write them when a number column keeps its format.
THOUSANDS_NUMBER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?", re.ASCII)
# A comma decimal separator (0,5), found only in files whose fields are not comma-separated.
_DECIMAL_COMMA_NUMBER = re.compile(r"[+-]?\d+,\d+", re.ASCII)
DELIMITERS = (",", ";", "\t", "|")
BOOLEAN_VALUES = {"true": 1.0, "false": 0.0}
# An integer column unique on every row is an id only when its name says so; a text column
# unique on every row is one whatever its name (a category seen once teaches nothing).
_ID_NAME = re.compile(r"(^|[^a-z])(id|uuid|guid|key)$|^(id|uuid|guid)[^a-z]", re.IGNORECASE)
MIN_ROWS_FOR_ID_DETECTION = 20


@dataclass(frozen=True)
class TrainingData:
    """Columns are float64 (numeric, NaN for missing) or object (categorical, None for missing).

    Boolean features are float64 columns of 0.0/1.0 named in `boolean_features`.
    """

    feature_names: list[str]
    columns: list[np.ndarray]
    target: np.ndarray
    target_name: str
    source: str
    boolean_features: frozenset[str] = field(default_factory=frozenset)
    # One line per column left out on purpose, for the person who runs the training.
    notices: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return len(self.target)

    def matrix(self) -> np.ndarray:
        if all(column.dtype.kind == "f" for column in self.columns):
            return np.column_stack(self.columns).astype(np.float64)
        matrix = np.empty((self.rows, len(self.columns)), dtype=object)
        for index, column in enumerate(self.columns):
            matrix[:, index] = column
        return matrix

    def fingerprint(self) -> str:
        """Changes whenever a value, a name or the row order changes."""
        digest = hashlib.sha256()
        digest.update("\x1f".join([*self.feature_names, self.target_name]).encode())
        for column in [*self.columns, self.target]:
            if column.dtype.kind in "fiu":
                digest.update(np.ascontiguousarray(column).tobytes())
            else:
                digest.update("\x1f".join(map(str, column.tolist())).encode())
        return digest.hexdigest()


def load_bundled(name: str) -> TrainingData:
    from sklearn import datasets

    if name not in BUNDLED_DATASETS:
        raise TrainingDataError(f"unknown dataset {name!r}; choose one of {BUNDLED_DATASETS}")
    bunch = getattr(datasets, f"load_{name}")()
    data = np.asarray(bunch.data, dtype=np.float64)
    return TrainingData(
        feature_names=[str(feature) for feature in bunch.feature_names],
        columns=[data[:, index].copy() for index in range(data.shape[1])],
        target=np.asarray(bunch.target),
        target_name="target",
        source=f"sklearn:{name}",
    )


def is_missing_text(value: str) -> bool:
    return value.strip().lower() in MISSING_MARKERS


def _numbers(values: Sequence[str], missing: Sequence[bool], decimal_comma: bool) -> np.ndarray:
    """Parse present values as numbers, or raise ValueError. Plain numbers, or numbers with
    thousands separators when every present value is written so; `decimal_comma` also takes
    0,5 (files separated by semicolons or tabs)."""
    try:
        return np.array(
            [
                np.nan if absent else float(value)
                for value, absent in zip(values, missing, strict=True)
            ],
            dtype=np.float64,
        )
    except ValueError:
        pass
    present = [value.strip() for value, absent in zip(values, missing, strict=True) if not absent]
    if decimal_comma and all(_DECIMAL_COMMA_NUMBER.fullmatch(value) for value in present):
        return _numbers([value.replace(",", ".") for value in values], missing, False)
    if not all(THOUSANDS_NUMBER.fullmatch(value) or value.isdigit() for value in present):
        raise ValueError("not numbers")
    return _numbers([value.replace(",", "") for value in values], missing, False)


def as_column(values: Sequence[str], *, decimal_comma: bool = False) -> tuple[np.ndarray, bool]:
    """(column, is_boolean): numeric when every present value parses as a number, boolean when
    every present value is true/false in any case, categorical otherwise."""
    missing = [is_missing_text(value) for value in values]
    present = {
        value.strip().lower() for value, absent in zip(values, missing, strict=True) if not absent
    }
    if present and present <= BOOLEAN_VALUES.keys():
        return np.array(
            [
                np.nan if absent else BOOLEAN_VALUES[value.strip().lower()]
                for value, absent in zip(values, missing, strict=True)
            ],
            dtype=np.float64,
        ), True
    try:
        return _numbers(values, missing, decimal_comma), False
    except ValueError:
        column = np.empty(len(values), dtype=object)
        column[:] = [
            None if absent else value for value, absent in zip(values, missing, strict=True)
        ]
        return column, False


def parse_target(values: Sequence[Any]) -> np.ndarray:
    """Targets read as text become integers, floats or labels, whichever they all are."""
    values = [str(value) for value in values]
    try:
        numbers = np.array([float(value) for value in values], dtype=np.float64)
    except ValueError:
        return np.array(values, dtype=object)
    if np.all(np.isfinite(numbers)) and np.all(numbers == np.round(numbers)):
        return numbers.astype(np.int64)
    return numbers


def decode_text(payload: bytes, where: str) -> str:
    """UTF-8 (with or without a byte-order mark) or UTF-16 (with or without one)."""
    if payload.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif len(payload) >= 2 and payload.count(0) * 3 >= len(payload):
        # UTF-16 without a byte-order mark: every ASCII character carries a NUL byte, which
        # comes second (little-endian) or first (big-endian).
        encoding = "utf-16-le" if payload[1] == 0 else "utf-16-be"
    else:
        encoding = "utf-8-sig"
    try:
        return payload.decode(encoding)
    except UnicodeDecodeError as error:
        raise TrainingDataError(
            f"{where} is neither UTF-8 nor UTF-16 text (byte "
            f"0x{payload[error.start]:02x} at offset {error.start}); save it as UTF-8 CSV"
        ) from None


def _is_id_column(name: str, column: np.ndarray) -> bool:
    rows = len(column)
    if rows < MIN_ROWS_FOR_ID_DETECTION:
        return False
    if column.dtype.kind == "f":
        finite = column[np.isfinite(column)]
        return (
            finite.size == rows
            and bool(np.all(finite == np.round(finite)))
            and len(np.unique(finite)) == rows
            and bool(_ID_NAME.search(name))
        )
    present = [value for value in column.tolist() if value is not None]
    return len(present) == rows and len(set(present)) == rows


def _delimiter(text: str) -> str:
    """The header line's separator: a comma unless the header holds none of them and another
    one (semicolon, tab, bar) instead, as spreadsheets in many locales export."""
    header = text.split("\n", 1)[0]
    if "," in header:
        return ","
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def load_csv(
    path: Path, target: str, drop: Collection[str] = (), *, detect_ids: bool = True
) -> TrainingData:
    """Read a CSV with a header row. Columns named in `drop` and id columns are left out, each
    with a notice; a file that cannot train a model raises TrainingDataError in one line."""
    try:
        payload = path.read_bytes()
    except OSError as error:
        raise TrainingDataError(f"cannot read {path}: {error.strerror}") from error
    text = decode_text(payload, str(path))
    delimiter = _delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise TrainingDataError(f"{path} is not a readable CSV: {error}") from None
    if len(rows) < 2:
        raise TrainingDataError(f"{path} has no data rows")
    header, body = rows[0], [row for row in rows[1:] if any(cell.strip() for cell in row)]
    header = [name.strip() for name in header]
    repeated = sorted(name for name, count in Counter(header).items() if count > 1)
    if repeated:
        raise TrainingDataError(
            f"{path} has duplicate column names {repeated}; give every column its own name"
        )
    if target not in header:
        raise TrainingDataError(f"{path} has no target column {target!r}; columns: {header}")
    unknown = sorted(set(drop) - set(header))
    if unknown:
        raise TrainingDataError(f"--drop names columns {path} does not have: {unknown}")
    if target in drop:
        raise TrainingDataError(f"--drop names the target column {target!r}")
    if not body:
        raise TrainingDataError(f"{path} has no data rows")
    ragged = next((number for number, row in enumerate(body, 2) if len(row) != len(header)), None)
    if ragged is not None:
        raise TrainingDataError(f"{path} line {ragged} has a different number of columns")
    unnamed = [
        index + 1
        for index, name in enumerate(header)
        if not name and any(not is_missing_text(row[index]) for row in body)
    ]
    if unnamed:
        raise TrainingDataError(
            f"{path} has values in column(s) {unnamed} whose header is empty; name them"
        )
    target_index = header.index(target)
    target_values = [row[target_index] for row in body]
    if any(is_missing_text(value) for value in target_values):
        raise TrainingDataError(f"{path} has rows with no {target!r} value")
    names: list[str] = []
    columns: list[np.ndarray] = []
    booleans: set[str] = set()
    notices = [f"dropped column {name!r} (--drop)" for name in header if name in drop]
    for index, name in enumerate(header):
        if index == target_index or name in drop:
            continue
        values = [row[index] for row in body]
        if all(is_missing_text(value) for value in values):
            if name:  # a trailing delimiter makes a nameless empty column: no notice needed
                notices.append(f"dropped column {name!r}: it is empty on every row")
            continue
        column, is_boolean = as_column(values, decimal_comma=delimiter != ",")
        if column.dtype.kind == "f" and np.isinf(column).any():
            line = int(np.flatnonzero(np.isinf(column))[0]) + 2
            raise TrainingDataError(
                f"{path} column {name!r} holds infinity (first near line {line}); "
                "serving refuses it, so leave the cell empty or give a number"
            )
        if detect_ids and _is_id_column(name, column):
            notices.append(
                f"dropped column {name!r}: a different value on every row (an id), "
                "so it cannot generalise"
            )
            continue
        names.append(name)
        columns.append(column)
        if is_boolean:
            booleans.add(name)
    if not names:
        raise TrainingDataError(f"{path} has no feature columns left besides {target!r}")
    return TrainingData(
        names,
        columns,
        parse_target([value.strip() for value in target_values]),
        target,
        f"csv:{path.name}",
        frozenset(booleans),
        tuple(notices),
    )
