"""Input formats: which one a key is, and how its columns line up with the model's features."""

import csv
from dataclasses import dataclass
from enum import StrEnum

from batch_handler.errors import UnreadableFileError
from sklambda.schema import FeatureSchema

OUTPUT_COLUMNS = ("prediction", "model_version")
PROBABILITY_PREFIX = "probability_"


class Undecodable(str):
    """A line that is not UTF-8, kept as Latin-1 text (every byte maps) so it can be shown."""


class FileFormat(StrEnum):
    CSV = "csv"
    JSON_LINES = "jsonl"

    @classmethod
    def of_key(cls, key: str) -> "FileFormat":
        name = key.lower().removesuffix("/")
        if name.endswith(".csv"):
            return cls.CSV
        if name.endswith((".jsonl", ".ndjson")):
            return cls.JSON_LINES
        raise UnreadableFileError(
            f"{key} is neither CSV (.csv) nor JSON Lines (.jsonl, .ndjson); "
            "rename it and upload again"
        )


@dataclass(frozen=True)
class Layout:
    """Where each feature is found in a record; CSV by header position, JSON Lines by key."""

    format: FileFormat
    schema: FeatureSchema
    header_line: str | None = None
    feature_columns: tuple[int, ...] = ()
    column_count: int = 0

    @property
    def names(self) -> list[str]:
        return self.schema.names


class CsvLineError(ValueError):
    """A line the csv module refuses (a bare carriage return, a field over its size limit)."""


def split_csv_line(line: str) -> list[str]:
    try:
        return next(csv.reader([line]), [])
    except csv.Error as error:
        if "new-line character" in str(error):
            raise CsvLineError(
                "a carriage return (\\r) or line break outside quotes; lines must end in LF or CRLF"
            ) from None
        raise CsvLineError(f"not readable as CSV: {error}") from None


def csv_layout(header_line: str, schema: FeatureSchema) -> Layout:
    """Match header names to features; extra columns are allowed and carried through."""
    try:
        fields = split_csv_line(header_line.removeprefix("\ufeff"))
    except CsvLineError as error:
        raise UnreadableFileError(
            f"the header line is not readable: {error} (a file with bare CR line endings "
            "cannot be read; save it with LF or CRLF)"
        ) from None
    header = [name.strip() for name in fields]
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise UnreadableFileError(f"the header names {duplicates} more than once")
    missing = [name for name in schema.names if name not in header]
    if missing:
        shown = ", ".join(repr(name) for name in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        separator = next((sign for sign in (";", "\t", "|") if sign in header_line), None)
        hint = (
            f"; values must be separated by commas, and this header holds {separator!r}"
            if separator and len(header) == 1
            else ""
        )
        raise UnreadableFileError(
            f"the header lacks the model's feature(s) {shown}{more}; the first line must name "
            "the columns (header found: "
            + ", ".join(header[:8])
            + ("…" if len(header) > 8 else "")
            + ")"
            + hint
        )
    clashes = [
        name for name in header if name in OUTPUT_COLUMNS or name.startswith(PROBABILITY_PREFIX)
    ]
    if clashes:
        raise UnreadableFileError(f"input columns {clashes} would be overwritten by the scores")
    return Layout(
        format=FileFormat.CSV,
        schema=schema,
        header_line=header_line.removeprefix("\ufeff"),
        feature_columns=tuple(header.index(name) for name in schema.names),
        column_count=len(header),
    )


def json_lines_layout(schema: FeatureSchema) -> Layout:
    return Layout(format=FileFormat.JSON_LINES, schema=schema)
