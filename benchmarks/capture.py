"""Time data capture per request: record building alone, and a Firehose vs a direct S3 delivery
to an embedded AWS on loopback. Loopback hides network time; in a region, one PutRecordBatch or
PutObject adds roughly one round trip (single-digit to tens of milliseconds) either way.

Run from the repository root: .venv/bin/python benchmarks/capture.py
"""

import statistics
import time
from datetime import UTC, datetime

import numpy as np

from sklambda import aws
from sklambda.monitoring.capture import DataCapture, FirehoseCaptureSink, S3CaptureSink
from sklambda.runtime import Scores
from sklambda.storage.keys import ModelKeys
from sklambda.storage.objects import S3Objects
from sklambda_local.embedded_aws import embedded_aws
from sklambda_local.provision import provision_bucket, provision_delivery_stream
from sklambda_local.template import LocalStack

REPEATS = 200


class NoFailures:
    def capture_failed(self, source: str, records: int) -> None:
        raise AssertionError(f"{records} {source} records failed")


class DiscardingSink:
    def deliver(self, lines: list[bytes]) -> None:
        del lines


def time_capture(capture: DataCapture, rows: int) -> float:
    matrix = np.random.default_rng(0).normal(size=(rows, 30))
    timings = []
    for number in range(REPEATS):
        started = time.perf_counter()
        capture.capture_request(
            request_id=f"r{number}",
            model_name="m",
            model_version="v1",
            features=[f"f{i}" for i in range(30)],
            matrix=matrix,
            scores=Scores(np.zeros(rows, dtype=np.int64), np.full((rows, 2), 0.5), (0, 1)),
        )
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def main() -> None:
    with embedded_aws():
        stack = LocalStack()
        bucket = provision_bucket(stack, aws.client("s3"), "ModelBucket")
        stream = provision_delivery_stream(stack, aws.client("firehose"), "CaptureDeliveryStream")
        sinks = {
            "record building only": DiscardingSink(),
            "Firehose PutRecordBatch": FirehoseCaptureSink(
                aws.best_effort_client("firehose"), stream
            ),
            "S3 PutObject (direct)": S3CaptureSink(
                S3Objects(aws.client("s3"), bucket), ModelKeys("m"), lambda: datetime.now(UTC)
            ),
        }
        print(f"median per request over {REPEATS} requests, 30 features (ms)")
        print(f"  {'sink':<26} {'1 row':>8} {'100 rows':>9}")
        for label, sink in sinks.items():
            capture = DataCapture(sink, 1.0, NoFailures())
            print(
                f"  {label:<26} {time_capture(capture, 1):8.3f} {time_capture(capture, 100):9.3f}"
            )


if __name__ == "__main__":
    main()
