"""Training data from a CSV file or a dataset bundled with scikit-learn."""

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sklambda.errors import TrainingDataError

BUNDLED_DATASETS = ("breast_cancer", "wine", "iris", "diabetes")
MISSING_MARKERS = frozenset({"", "na", "nan", "null", "none"})


@dataclass(frozen=True)
class TrainingData:
    """Columns are float64 (numeric, NaN for missing) or object (categorical, None for missing)."""

    feature_names: list[str]
    columns: list[np.ndarray]
    target: np.ndarray
    target_name: str
    source: str

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


def _as_column(values: list[str]) -> np.ndarray:
    """Numeric when every present value parses as a number, categorical otherwise."""
    missing = [value.strip().lower() in MISSING_MARKERS for value in values]
    try:
        return np.array(
            [
                np.nan if absent else float(value)
                for value, absent in zip(values, missing, strict=True)
            ],
            dtype=np.float64,
        )
    except ValueError:
        column = np.empty(len(values), dtype=object)
        column[:] = [
            None if absent else value for value, absent in zip(values, missing, strict=True)
        ]
        return column


def _as_target(values: list[str]) -> np.ndarray:
    try:
        numbers = np.array([float(value) for value in values], dtype=np.float64)
    except ValueError:
        return np.array(values, dtype=object)
    if np.all(numbers == np.round(numbers)):
        return numbers.astype(np.int64)
    return numbers


def load_csv(path: Path, target: str) -> TrainingData:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except OSError as error:
        raise TrainingDataError(f"cannot read {path}: {error.strerror}") from error
    if len(rows) < 2:
        raise TrainingDataError(f"{path} has no data rows")
    header, body = rows[0], [row for row in rows[1:] if any(cell.strip() for cell in row)]
    if target not in header:
        raise TrainingDataError(f"{path} has no target column {target!r}; columns: {header}")
    ragged = next((number for number, row in enumerate(body, 2) if len(row) != len(header)), None)
    if ragged is not None:
        raise TrainingDataError(f"{path} line {ragged} has a different number of columns")
    target_index = header.index(target)
    target_values = [row[target_index] for row in body]
    if any(value.strip().lower() in MISSING_MARKERS for value in target_values):
        raise TrainingDataError(f"{path} has rows with no {target!r} value")
    names = [name for index, name in enumerate(header) if index != target_index]
    columns = [
        _as_column([row[index] for row in body])
        for index in range(len(header))
        if index != target_index
    ]
    return TrainingData(names, columns, _as_target(target_values), target, f"csv:{path.name}")
