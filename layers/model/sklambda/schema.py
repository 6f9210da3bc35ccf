"""The feature schema a model was trained on, and validation of incoming rows against it."""

import math
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from sklambda.errors import SklambdaError
from sklambda.json_input import OversizedNumber

MAX_REPORTED_PROBLEMS = 20
# Enough for a town or product column; beyond it the list is cut and unseen values go unnamed.
MAX_RECORDED_CATEGORIES = 2000
BOOLEAN_TEXT = {"true": 1.0, "false": 0.0}
_ABSENT = object()


class FeatureKind(StrEnum):
    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    # true/false; the model sees 1.0/0.0.
    BOOLEAN = "boolean"


class Feature(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    kind: FeatureKind
    allows_missing: bool = False
    minimum: float | None = None
    maximum: float | None = None
    categories: list[str] | None = None
    # True when training saw more categories than the schema records.
    categories_truncated: bool = False


class FeatureSchema(BaseModel):
    model_config = ConfigDict(frozen=True)

    features: list[Feature]

    @property
    def names(self) -> list[str]:
        return [feature.name for feature in self.features]

    @property
    def all_numeric(self) -> bool:
        return all(feature.kind is FeatureKind.NUMERIC for feature in self.features)

    @property
    def float_matrix(self) -> bool:
        """Rows of this schema fit a float64 matrix (no text column)."""
        return all(feature.kind is not FeatureKind.CATEGORICAL for feature in self.features)

    def categorical_mask(self) -> list[bool]:
        return [feature.kind is FeatureKind.CATEGORICAL for feature in self.features]


@dataclass(frozen=True)
class Problem:
    """One reason a row was refused, named by row index and feature."""

    row: int
    feature: str | None
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", feature '{self.feature}'" if self.feature else "")
        return f"{where}: {self.message}"


class SchemaValidationError(SklambdaError):
    def __init__(self, problems: list[Problem], total: int) -> None:
        self.problems = problems
        self.total = total
        shown = "; ".join(str(problem) for problem in problems)
        more = f" (and {total - len(problems)} more)" if total > len(problems) else ""
        super().__init__(f"{shown}{more}")


def infer_schema(
    names: Sequence[str], columns: Sequence[np.ndarray], boolean: Collection[str] = ()
) -> FeatureSchema:
    """Describe training columns: float columns are numeric (boolean when named in `boolean`,
    holding 0.0/1.0), object columns categorical."""
    features = []
    for name, column in zip(names, columns, strict=True):
        if column.dtype.kind == "b":
            column = column.astype(np.float64)
        if column.dtype.kind in "fiu":
            column = column.astype(np.float64)
            finite = column[np.isfinite(column)]
            features.append(
                Feature(
                    name=name,
                    kind=FeatureKind.BOOLEAN if name in boolean else FeatureKind.NUMERIC,
                    allows_missing=bool(np.isnan(column).any()),
                    minimum=float(finite.min()) if finite.size else None,
                    maximum=float(finite.max()) if finite.size else None,
                )
            )
        else:
            present = [value for value in column.tolist() if value is not None]
            categories = sorted({str(value) for value in present})
            features.append(
                Feature(
                    name=name,
                    kind=FeatureKind.CATEGORICAL,
                    allows_missing=len(present) < len(column),
                    categories=categories[:MAX_RECORDED_CATEGORIES],
                    categories_truncated=len(categories) > MAX_RECORDED_CATEGORIES,
                )
            )
    return FeatureSchema(features=features)


_JSON_NAMES = {dict: "object", list: "array", str: "string", bool: "boolean"}
_SHOWN_CHARACTERS = 40


def describe(value: Any) -> str:
    """Name a refused value without repr() of a container, which can be huge or deep."""
    kind = _JSON_NAMES.get(type(value), type(value).__name__)
    if isinstance(value, str | bool):
        shown = repr(value[: _SHOWN_CHARACTERS + 1] if isinstance(value, str) else value)
        return f"{kind} {shown[:_SHOWN_CHARACTERS]}"
    if isinstance(value, list | dict):
        return f"{kind} of {len(value)} item(s)"
    return kind


OUT_OF_RANGE = "is too large: beyond the range of a 64-bit float"


def _digits(value: int) -> str:
    try:
        return str(len(str(abs(value))))
    except ValueError:  # beyond Python's int-to-text limit
        return f"about {int(abs(value).bit_length() * math.log10(2)) + 1}"


def _numeric_value(feature: Feature, value: Any) -> tuple[float, str | None]:
    if value is None:
        if feature.allows_missing:
            return math.nan, None
        return math.nan, "is missing (null) but the model was trained without missing values"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan, f"expected a number, got {describe(value)}"
    if isinstance(value, OversizedNumber):
        return math.nan, f"an integer of {value.digits} digits {OUT_OF_RANGE}"
    try:
        number = float(value)
    except OverflowError:  # only an int can be too large for a float
        return math.nan, f"an integer of {_digits(int(value))} digits {OUT_OF_RANGE}"
    if math.isinf(number):
        return number, "infinity is not allowed"
    if math.isnan(number) and not feature.allows_missing:
        return number, "NaN is not allowed: the model was trained without missing values"
    return number, None


def _categorical_value(feature: Feature, value: Any) -> tuple[Any, str | None]:
    if value is None:
        if feature.allows_missing:
            return None, None
        return None, "is missing (null) but the model was trained without missing values"
    if not isinstance(value, str):
        return None, f"expected a string category, got {describe(value)}"
    return value, None


def _boolean_value(feature: Feature, value: Any) -> tuple[float, str | None]:
    if value is None:
        if feature.allows_missing:
            return math.nan, None
        return math.nan, "is missing (null) but the model was trained without missing values"
    if isinstance(value, bool):
        return float(value), None
    if isinstance(value, str) and value.strip().lower() in BOOLEAN_TEXT:
        return BOOLEAN_TEXT[value.strip().lower()], None
    if type(value) in (int, float) and value in (0, 1):
        return float(value), None
    return math.nan, f"expected true or false, got {type(value).__name__} {value!r:.40}"


_CONVERTERS = {
    FeatureKind.NUMERIC: _numeric_value,
    FeatureKind.CATEGORICAL: _categorical_value,
    FeatureKind.BOOLEAN: _boolean_value,
}
_PLAIN_NUMBERS = frozenset({int, float})


def _numeric_matrix(
    schema: FeatureSchema, instances: Sequence[Mapping[str, Any] | Sequence[Any]]
) -> np.ndarray | None:
    """The common case in one vectorised step: every row complete, every value a finite number.

    Anything else returns None, and the row-by-row path finds and names each problem.
    """
    if not schema.all_numeric:
        return None
    names = schema.names
    width = len(names)
    known = set(names)
    rows: list[Sequence[Any]] = []
    for instance in instances:
        if isinstance(instance, Mapping):
            if instance.keys() != known:
                return None
            rows.append([instance[name] for name in names])
        elif len(instance) == width:
            rows.append(instance)
        else:
            return None
    if not {type(value) for row in rows for value in row} <= _PLAIN_NUMBERS:
        return None
    try:
        matrix = np.array(rows, dtype=np.float64).reshape(len(rows), width)
    except OverflowError:  # an integer beyond float64: the row-by-row path names it
        return None
    return matrix if np.isfinite(matrix).all() else None


def validate_instances(
    schema: FeatureSchema, instances: Sequence[Mapping[str, Any] | Sequence[Any]]
) -> np.ndarray:
    """Turn request rows (objects keyed by feature, or arrays in schema order) into a matrix.

    Raises SchemaValidationError naming each bad row and feature, up to a bounded count.
    """
    fast = _numeric_matrix(schema, instances)
    if fast is not None:
        return fast
    features = schema.features
    width = len(features)
    known = {feature.name for feature in features}
    matrix = np.empty((len(instances), width), dtype=np.float64 if schema.float_matrix else object)
    problems: list[Problem] = []
    total = 0

    def refuse(row: int, feature: str | None, message: str) -> None:
        nonlocal total
        total += 1
        if len(problems) < MAX_REPORTED_PROBLEMS:
            problems.append(Problem(row, feature, message))

    for row, instance in enumerate(instances):
        if isinstance(instance, Mapping):
            for unknown in instance.keys() - known:
                refuse(row, str(unknown), "unknown feature")
            values = []
            for feature in features:
                if feature.name not in instance:
                    refuse(row, feature.name, "missing feature")
                    values.append(_ABSENT)
                else:
                    values.append(instance[feature.name])
        else:
            values = list(instance)
            if len(values) != width:
                refuse(row, None, f"has {len(values)} values; expected {width} in schema order")
                continue
        for column, (feature, value) in enumerate(zip(features, values, strict=True)):
            if value is _ABSENT:
                continue
            converted, message = _CONVERTERS[feature.kind](feature, value)
            if message:
                refuse(row, feature.name, message)
            matrix[row, column] = converted
    if total:
        raise SchemaValidationError(problems, total)
    return matrix


@dataclass(frozen=True)
class UnseenCategory:
    """A text value the model never saw in training for this feature (case counts)."""

    row: int
    feature: str
    value: str

    def __str__(self) -> str:
        return f"feature '{self.feature}': category {self.value!r:.60} was not seen in training"


def unseen_category_counts(schema: FeatureSchema, matrix: np.ndarray) -> dict[str, Counter[str]]:
    """Per feature, how many rows carry each category outside its training set: the rule of
    ``unseen_categories``, counted instead of listed, for files of any size."""
    counts: dict[str, Counter[str]] = {}
    for column, feature in enumerate(schema.features):
        if feature.kind is not FeatureKind.CATEGORICAL or feature.categories_truncated:
            continue
        known = frozenset(feature.categories or ())
        present = Counter(matrix[:, column].tolist())
        present.pop(None, None)  # a missing value is not an unseen one
        unseen = Counter({str(value): n for value, n in present.items() if value not in known})
        if unseen:
            counts[feature.name] = unseen
    return counts


def unseen_categories(schema: FeatureSchema, matrix: np.ndarray) -> list[UnseenCategory]:
    """Categories outside each feature's training set, row by row; missing values are not
    unseen. Features whose recorded list was cut are skipped: absence proves nothing there."""
    found: list[UnseenCategory] = []
    for column, feature in enumerate(schema.features):
        if feature.kind is not FeatureKind.CATEGORICAL or feature.categories_truncated:
            continue
        known = frozenset(feature.categories or ())
        for row, value in enumerate(matrix[:, column].tolist()):
            if value is not None and value not in known:
                found.append(UnseenCategory(row, feature.name, str(value)))
    return found
