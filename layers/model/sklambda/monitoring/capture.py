"""Data capture: sampled inputs and outputs of the model, delivered as JSON Lines to S3.

Real-time requests are printed as one log line each (``LogLineCaptureSink``); a CloudWatch
Logs subscription filter hands those lines to Firehose, so no request waits on a network
call. Batch scoring, which nobody waits on and which writes many large records, puts its
records to Firehose itself (``FirehoseCaptureSink``). Both streams write under capture/.

Features named in ``excluded_features`` are written as null: the columns stay aligned with
the model's schema, and the drift report shows them as missing rather than judging them.

Capture is best effort. A failed delivery never reaches the caller: it is logged, counted in
the ``CaptureFailures`` metric, and capture pauses for a short cool-down so that an outage
of the sink cannot add its timeout to every prediction.
"""

import random
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

import numpy as np
import orjson
from pydantic import BaseModel, ConfigDict

from sklambda.observability import logger
from sklambda.registry.manifest import ClassLabel
from sklambda.runtime.scores import Scores
from sklambda.storage.keys import ModelKeys
from sklambda.storage.objects import S3Objects

CAPTURE_SCHEMA_VERSION = 1
CaptureSource = Literal["predict", "batch"]
# Firehose takes up to 500 records and 4 MiB per PutRecordBatch, 1,000 KiB per record.
FIREHOSE_MAX_RECORDS = 500
FIREHOSE_MAX_BATCH_BYTES = 4 * 1024 * 1024
FIREHOSE_MAX_RECORD_BYTES = 1000 * 1024
# CloudWatch Logs takes events of up to 256 KiB (26 bytes of which are its own overhead);
# a request whose record would be larger is captured as several records of fewer rows.
LOG_EVENT_MAX_BYTES = 256 * 1024 - 1024
# Batch scoring captures sampled rows in records of this many rows (well under 1,000 KiB).
ROWS_PER_BATCH_RECORD = 200


class CaptureRecord(BaseModel):
    """One captured request (or slice of a batch file): one line of a capture object."""

    model_config = ConfigDict(frozen=True)

    schema_version: int = CAPTURE_SCHEMA_VERSION
    request_id: str
    captured_at: datetime
    source: CaptureSource
    model_name: str
    model_version: str
    features: list[str]
    row_ids: list[int]
    rows: list[list[Any]]
    predictions: list[ClassLabel]
    probabilities: list[list[float]] | None = None
    classes: list[str] | None = None


class CaptureSink(Protocol):
    def deliver(self, lines: Sequence[bytes]) -> None:
        """Store newline-terminated JSON records, or raise."""


class CaptureDeliveryError(Exception):
    """The sink accepted only part of the records, or none."""


class LogLineCaptureSink:
    """Prints each record as one line on stdout, which Lambda sends to the function's log group.

    The template's subscription filter selects these lines and hands them to Firehose, which
    writes them under capture/; the request only pays for a write to a local pipe.
    """

    def deliver(self, lines: Sequence[bytes]) -> None:
        # Looked up per call: the Lambda runtime (and the local log bridge) own sys.stdout.
        out = sys.stdout
        out.write("".join(line.decode() for line in lines))
        out.flush()


class FirehoseCaptureSink:
    """Kinesis Data Firehose buffers records and writes few, large objects under capture/."""

    def __init__(self, firehose: Any, stream_name: str) -> None:
        self._firehose = firehose
        self._stream_name = stream_name

    def deliver(self, lines: Sequence[bytes]) -> None:
        for chunk in _chunks(lines):
            response = self._firehose.put_record_batch(
                DeliveryStreamName=self._stream_name, Records=[{"Data": line} for line in chunk]
            )
            if response.get("FailedPutCount", 0):
                raise CaptureDeliveryError(
                    f"firehose refused {response['FailedPutCount']} of {len(chunk)} records"
                )


class S3CaptureSink:
    """One object per delivery, in the same hourly layout Firehose writes (for tests, tools)."""

    def __init__(self, objects: S3Objects, keys: ModelKeys, clock: Callable[[], datetime]) -> None:
        self._objects = objects
        self._keys = keys
        self._clock = clock

    def deliver(self, lines: Sequence[bytes]) -> None:
        now = self._clock()
        name = f"direct-{now:%Y-%m-%d-%H-%M-%S}-{uuid.uuid4()}"
        self._objects.put(f"{self._keys.capture_hour_prefix(now)}{name}", b"".join(lines))


def _chunks(lines: Sequence[bytes]) -> list[list[bytes]]:
    chunks: list[list[bytes]] = [[]]
    size = 0
    for line in lines:
        if len(line) > FIREHOSE_MAX_RECORD_BYTES:
            raise CaptureDeliveryError(f"a capture record of {len(line)} bytes is too large")
        if len(chunks[-1]) == FIREHOSE_MAX_RECORDS or size + len(line) > FIREHOSE_MAX_BATCH_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += len(line)
    return [chunk for chunk in chunks if chunk]


_JSON_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_UTC_Z | orjson.OPT_APPEND_NEWLINE
_NUMERIC_KINDS = frozenset("biuf")


def encode_record(fields: dict[str, Any]) -> bytes:
    """One newline-terminated JSON line of a ``CaptureRecord``'s fields.

    Numeric arrays are written straight from numpy, NaN and infinities as null, which is
    several times faster than building Python floats for pydantic; the readers validate
    every line with ``CaptureRecord``, so the two stay one schema (a unit test checks it).
    """
    return orjson.dumps(fields, default=_plain_or_fail, option=_JSON_OPTIONS)


def _json_matrix(matrix: np.ndarray) -> np.ndarray | list[list[Any]]:
    if matrix.dtype.kind in _NUMERIC_KINDS:
        return np.ascontiguousarray(matrix)
    return json_rows(matrix)


def _json_labels(labels: np.ndarray) -> np.ndarray | list[Any]:
    if labels.dtype.kind in _NUMERIC_KINDS:
        return np.ascontiguousarray(labels)
    return labels.tolist()


def _plain_or_fail(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} cannot be written to a capture record")


def json_rows(matrix: np.ndarray) -> list[list[Any]]:
    """Rows for JSON: NaN (and None) become null, numpy scalars plain Python values."""
    if matrix.dtype.kind == "f":
        cells = matrix.astype(object)
        cells[np.isnan(matrix)] = None
        return cells.tolist()
    return [
        [None if isinstance(value, float) and value != value else value for value in row]
        for row in matrix.tolist()
    ]


class CaptureFailureCounter(Protocol):
    def capture_failed(self, source: CaptureSource, records: int) -> None: ...


class DataCapture:
    """Samples and delivers capture records; every failure is swallowed and counted."""

    def __init__(
        self,
        sink: CaptureSink | None,
        sampling_rate: float,
        failures: CaptureFailureCounter,
        *,
        cooldown_seconds: float = 30.0,
        uniform: Callable[[], float] = random.random,
        monotonic: Callable[[], float] = time.monotonic,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_record_bytes: int = FIREHOSE_MAX_RECORD_BYTES,
        excluded_features: frozenset[str] = frozenset(),
    ) -> None:
        self._sink = sink
        self._excluded = excluded_features
        self._max_record_bytes = max_record_bytes
        self._rate = sampling_rate if sink is not None else 0.0
        self._failures = failures
        self._cooldown = cooldown_seconds
        self._uniform = uniform
        self._monotonic = monotonic
        self._clock = clock
        self._paused_until = float("-inf")

    @property
    def enabled(self) -> bool:
        return self._rate > 0.0

    def capture_request(
        self,
        *,
        request_id: str,
        model_name: str,
        model_version: str,
        features: list[str],
        matrix: np.ndarray,
        scores: Scores,
    ) -> bool:
        """Capture a whole real-time request, or none of it; True when it was delivered.

        A request too large for one record of the sink becomes several records of
        consecutive rows, each with its rows' ids, so labels still find their row.
        """
        if not self.enabled or self._uniform() >= self._rate:
            return False
        fields = {
            "schema_version": CAPTURE_SCHEMA_VERSION,
            "request_id": request_id,
            "captured_at": self._clock(),
            "source": "predict",
            "model_name": model_name,
            "model_version": model_version,
            "features": features,
            "row_ids": list(range(len(scores))),
            "rows": _json_matrix(self._without_excluded(features, matrix)),
            "predictions": _json_labels(scores.labels),
            "probabilities": (
                None if scores.probabilities is None else _json_matrix(scores.probabilities)
            ),
            "classes": _class_names(scores),
        }
        return self._deliver("predict", 1, lambda: self._request_lines(fields))

    def _request_lines(self, fields: dict[str, Any]) -> list[bytes]:
        line = encode_record(fields)
        rows = len(fields["row_ids"])
        if len(line) <= self._max_record_bytes:
            return [line]
        if rows == 1:
            raise CaptureDeliveryError(
                f"one row makes a capture record of {len(line)} bytes, "
                f"over the sink's {self._max_record_bytes}"
            )
        half = rows // 2
        return [
            *self._request_lines(_row_slice(fields, 0, half)),
            *self._request_lines(_row_slice(fields, half, rows)),
        ]

    def capture_rows(
        self,
        *,
        request_id: str,
        model_name: str,
        model_version: str,
        features: list[str],
        matrix: np.ndarray,
        scores: Scores,
        first_row_id: int = 0,
    ) -> bool:
        """Capture a sample of a batch's rows, each row kept with the sampling rate.

        ``request_id`` names the batch (e.g. its input key) and row ids count from
        ``first_row_id``, so labels for a batch can name the row they belong to.
        """
        if not self.enabled or not len(scores):
            return False
        draws = np.array([self._uniform() for _ in range(len(scores))])
        kept = np.flatnonzero(draws < self._rate)
        if not kept.size:
            return False
        now = self._clock()
        class_names = _class_names(scores)
        matrix = self._without_excluded(features, matrix)
        lines = []
        for start in range(0, kept.size, ROWS_PER_BATCH_RECORD):
            rows = kept[start : start + ROWS_PER_BATCH_RECORD]
            sampled = scores.take(rows)
            lines.append(
                {
                    "schema_version": CAPTURE_SCHEMA_VERSION,
                    "request_id": request_id,
                    "captured_at": now,
                    "source": "batch",
                    "model_name": model_name,
                    "model_version": model_version,
                    "features": features,
                    "row_ids": rows + first_row_id,
                    "rows": _json_matrix(matrix[rows]),
                    "predictions": _json_labels(sampled.labels),
                    "probabilities": (
                        None
                        if sampled.probabilities is None
                        else _json_matrix(sampled.probabilities)
                    ),
                    "classes": class_names,
                }
            )
        return self._deliver("batch", len(lines), lambda: [encode_record(f) for f in lines])

    def _without_excluded(self, features: list[str], matrix: np.ndarray) -> np.ndarray:
        """The matrix with excluded features' values replaced by missing (NaN or None)."""
        columns = [index for index, name in enumerate(features) if name in self._excluded]
        if not columns:
            return matrix
        if matrix.dtype.kind in "fiub":
            masked = matrix.astype(np.float64, copy=True)
            masked[:, columns] = np.nan
        else:
            masked = matrix.copy()
            masked[:, columns] = None
        return masked

    def _deliver(
        self, source: CaptureSource, records: int, lines: Callable[[], list[bytes]]
    ) -> bool:
        if self._sink is None:
            return False
        if self._monotonic() < self._paused_until:
            self._failures.capture_failed(source, records)
            return False
        try:
            self._sink.deliver(lines())
        except Exception as error:
            self._paused_until = self._monotonic() + self._cooldown
            logger.warning(
                "data capture failed; pausing capture",
                extra={
                    "error": f"{type(error).__name__}: {error}"[:300],
                    "cooldown": self._cooldown,
                },
            )
            self._failures.capture_failed(source, records)
            return False
        return True


def _row_slice(fields: dict[str, Any], start: int, stop: int) -> dict[str, Any]:
    sliced = {**fields}
    for name in ("row_ids", "rows", "predictions", "probabilities"):
        if fields[name] is not None:
            sliced[name] = fields[name][start:stop]
    return sliced


def _class_names(scores: Scores) -> list[str] | None:
    return None if scores.classes is None else [str(label) for label in scores.classes]
