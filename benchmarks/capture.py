"""Time the data capture candidates per request, as a request would pay for them.

- record building only: sampling and serialising the record (orjson, straight from numpy),
  and the same record built the way it was before (pydantic from Python lists);
- log line (chosen): the record written to stdout, here a real pipe drained by a thread, as
  Lambda's log pipe is; a subscription filter forwards it later;
- in-memory buffer: the record appended to a list that a Lambda internal extension would
  flush after the response (the flush is not on the request path, so it is not timed);
- Firehose PutRecordBatch (before) and S3 PutObject: one call to the embedded AWS on
  loopback. Loopback hides network time; in a Region each adds a round trip on top.

It also prints the record sizes the CloudWatch Logs cost arithmetic in docs/monitoring.md uses.
Run from the repository root: .venv/bin/python benchmarks/capture.py
"""

import io
import os
import statistics
import threading
import time
from collections.abc import Callable
from contextlib import redirect_stdout
from datetime import UTC, datetime

import numpy as np

from sklambda import aws
from sklambda.monitoring.capture import (
    CaptureRecord,
    DataCapture,
    FirehoseCaptureSink,
    LogLineCaptureSink,
    S3CaptureSink,
    json_rows,
)
from sklambda.runtime import Scores
from sklambda.storage.keys import ModelKeys
from sklambda.storage.objects import S3Objects
from sklambda.training.data import load_bundled
from sklambda_local.embedded_aws import embedded_aws
from sklambda_local.provision import provision_bucket, provision_delivery_stream
from sklambda_local.template import LocalStack

REPEATS = 300


class NoFailures:
    def capture_failed(self, source: str, records: int) -> None:
        raise AssertionError(f"{records} {source} records failed")


class DiscardingSink:
    def deliver(self, lines: list[bytes]) -> None:
        del lines


class BufferSink:
    """What the request pays for with an extension-flushed buffer: an append."""

    def __init__(self) -> None:
        self.lines: list[bytes] = []

    def deliver(self, lines: list[bytes]) -> None:
        self.lines.extend(lines)
        if len(self.lines) > 1000:
            self.lines.clear()


def _sample(rows: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    data = load_bundled("breast_cancer")
    matrix = data.matrix()[:rows].astype(float)
    probabilities = np.random.default_rng(0).dirichlet([1, 1], size=rows)
    return matrix, probabilities, list(data.feature_names)


def time_capture(capture: DataCapture, rows: int) -> float:
    matrix, probabilities, features = _sample(rows)
    timings = []
    for number in range(REPEATS):
        started = time.perf_counter()
        capture.capture_request(
            request_id=f"r{number}",
            model_name="m",
            model_version="v1",
            features=features,
            matrix=matrix,
            scores=Scores(np.zeros(rows, dtype=np.int64), probabilities, (0, 1)),
        )
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def time_pydantic_record(rows: int) -> float:
    """The record as the capture built it before: pydantic validation, then model_dump_json."""
    matrix, probabilities, features = _sample(rows)
    timings = []
    for number in range(REPEATS):
        started = time.perf_counter()
        CaptureRecord(
            request_id=f"r{number}",
            captured_at=datetime.now(UTC),
            source="predict",
            model_name="m",
            model_version="v1",
            features=features,
            row_ids=list(range(rows)),
            rows=json_rows(matrix),
            predictions=[0] * rows,
            probabilities=probabilities.tolist(),
            classes=["0", "1"],
        ).model_dump_json().encode()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def record_bytes(rows: int) -> int:
    sink = BufferSink()
    time_capture(DataCapture(sink, 1.0, NoFailures()), rows)
    return len(sink.lines[-1])


def _drained_pipe() -> tuple[io.TextIOWrapper, Callable[[], None]]:
    read_end, write_end = os.pipe()
    writer = open(write_end, "w", encoding="utf-8")  # noqa: SIM115 - closed by the returned stop

    def drain() -> None:
        while os.read(read_end, 1 << 16):
            pass

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()

    def stop() -> None:
        writer.close()
        thread.join()
        os.close(read_end)

    return writer, stop


def main() -> None:
    with embedded_aws():
        stack = LocalStack()
        bucket = provision_bucket(stack, aws.client("s3"), "ModelBucket")
        stream = provision_delivery_stream(stack, aws.client("firehose"), "CaptureDeliveryStream")
        sinks = {
            "record building only": DiscardingSink(),
            "log line to a pipe (chosen)": LogLineCaptureSink(),
            "in-memory buffer (extension)": BufferSink(),
            "Firehose PutRecordBatch (before)": FirehoseCaptureSink(
                aws.best_effort_client("firehose"), stream
            ),
            "S3 PutObject (direct)": S3CaptureSink(
                S3Objects(aws.client("s3"), bucket), ModelKeys("m"), lambda: datetime.now(UTC)
            ),
        }
        print(f"median per request over {REPEATS} requests, 30 features (ms)")
        print(f"  {'candidate':<34} {'1 row':>8} {'100 rows':>9}")
        print(
            f"  {'record building, pydantic (before)':<34} "
            f"{time_pydantic_record(1):8.3f} {time_pydantic_record(100):9.3f}"
        )
        pipe, stop = _drained_pipe()
        with redirect_stdout(pipe):
            figures = {}
            for label, sink in sinks.items():
                capture = DataCapture(sink, 1.0, NoFailures())
                figures[label] = (time_capture(capture, 1), time_capture(capture, 100))
        stop()
        for label, (one, hundred) in figures.items():
            print(f"  {label:<34} {one:8.3f} {hundred:9.3f}")
        print(f"\nrecord size: 1 row {record_bytes(1)} bytes, 100 rows {record_bytes(100)} bytes")


if __name__ == "__main__":
    main()
