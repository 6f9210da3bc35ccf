"""Data capture samples, formats and delivers records, and never lets a failure through."""

import json
import math
from datetime import UTC, datetime

import numpy as np
import pytest

from sklambda.monitoring.capture import (
    FIREHOSE_MAX_RECORDS,
    CaptureRecord,
    DataCapture,
    FirehoseCaptureSink,
    json_rows,
)
from sklambda.runtime import Scores

NOW = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


class RecordingSink:
    def __init__(self) -> None:
        self.deliveries: list[list[bytes]] = []

    def deliver(self, lines):
        self.deliveries.append(list(lines))


class BrokenSink:
    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    def deliver(self, lines):
        self.calls += 1
        raise self.error


class FailureCounter:
    def __init__(self) -> None:
        self.failures: list[tuple[str, int]] = []

    def capture_failed(self, source, records):
        self.failures.append((source, records))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _capture(sink, *, rate=1.0, draws=None, monotonic=None, counter=None):
    values = iter(draws) if draws is not None else None
    return DataCapture(
        sink,
        rate,
        counter or FailureCounter(),
        uniform=(lambda: next(values)) if values else (lambda: 0.0),
        monotonic=monotonic or Clock(),
        clock=lambda: NOW,
    )


def _request(capture: DataCapture, request_id: str = "r1") -> bool:
    return capture.capture_request(
        request_id=request_id,
        model_name="m",
        model_version="v1",
        features=["a", "b"],
        matrix=np.array([[1.0, np.nan], [2.0, 3.0]]),
        scores=Scores(np.array([0, 1]), np.array([[0.9, 0.1], [0.2, 0.8]]), (0, 1)),
    )


def test_a_sampled_request_becomes_one_json_line_with_inputs_outputs_and_version():
    sink = RecordingSink()
    assert _request(_capture(sink)) is True
    (lines,) = sink.deliveries
    (line,) = lines
    assert line.endswith(b"\n")
    record = CaptureRecord.model_validate_json(line)
    assert record.request_id == "r1"
    assert record.model_version == "v1"
    assert record.captured_at == NOW
    assert record.rows == [[1.0, None], [2.0, 3.0]]
    assert record.row_ids == [0, 1]
    assert record.predictions == [0, 1]
    assert record.probabilities == [[0.9, 0.1], [0.2, 0.8]]
    assert record.classes == ["0", "1"]


def test_requests_are_sampled_at_the_configured_rate():
    sink = RecordingSink()
    capture = _capture(sink, rate=0.25, draws=[0.1, 0.3, 0.24, 0.9])
    assert [_request(capture, f"r{i}") for i in range(4)] == [True, False, True, False]
    assert len(sink.deliveries) == 2


def test_a_zero_rate_or_no_sink_captures_nothing():
    sink = RecordingSink()
    assert _request(_capture(sink, rate=0.0)) is False
    assert _request(_capture(None)) is False
    assert sink.deliveries == []


@pytest.mark.parametrize("error", [RuntimeError("firehose down"), TimeoutError("slow")])
def test_a_failing_sink_never_raises_and_is_counted(error):
    # Given a sink that raises
    counter = FailureCounter()
    sink = BrokenSink(error)
    # When a request is captured
    delivered = _request(_capture(sink, counter=counter))
    # Then the caller sees no error, only a counted failure
    assert delivered is False
    assert counter.failures == [("predict", 1)]


def test_after_a_failure_capture_pauses_instead_of_waiting_on_the_sink_again():
    counter = FailureCounter()
    sink = BrokenSink(ConnectionError("unreachable"))
    clock = Clock()
    capture = _capture(sink, counter=counter, monotonic=clock)
    _request(capture)
    clock.now = 10.0
    _request(capture)
    assert sink.calls == 1  # paused: the second record was dropped without a call
    clock.now = 31.0
    _request(capture)
    assert sink.calls == 2
    assert len(counter.failures) == 3


def test_batch_rows_are_sampled_one_by_one_and_keep_their_row_ids():
    sink = RecordingSink()
    capture = _capture(sink, rate=0.5, draws=[0.1, 0.9, 0.2, 0.6, 0.4])
    matrix = np.arange(10, dtype=float).reshape(5, 2)
    delivered = capture.capture_rows(
        request_id="incoming/file.csv",
        model_name="m",
        model_version="v1",
        features=["a", "b"],
        matrix=matrix,
        scores=Scores(np.array([0, 1, 0, 1, 1])),
        first_row_id=100,
    )
    assert delivered
    (record,) = [CaptureRecord.model_validate_json(line) for line in sink.deliveries[0]]
    assert record.source == "batch"
    assert record.row_ids == [100, 102, 104]
    assert record.rows == [[0.0, 1.0], [4.0, 5.0], [8.0, 9.0]]
    assert record.predictions == [0, 0, 1]


def test_firehose_batches_respect_the_record_limit_and_report_partial_failures():
    calls = []

    class Firehose:
        def put_record_batch(self, DeliveryStreamName, Records):
            calls.append(len(Records))
            return {"FailedPutCount": 0}

    FirehoseCaptureSink(Firehose(), "s").deliver([b"{}\n"] * (FIREHOSE_MAX_RECORDS + 1))
    assert calls == [FIREHOSE_MAX_RECORDS, 1]

    class PartlyFailing:
        def put_record_batch(self, DeliveryStreamName, Records):
            return {"FailedPutCount": 1}

    counter = FailureCounter()
    assert _request(_capture(FirehoseCaptureSink(PartlyFailing(), "s"), counter=counter)) is False
    assert counter.failures == [("predict", 1)]


def test_missing_values_become_json_null_in_both_column_types():
    numeric = json_rows(np.array([[1.0, math.nan]]))
    mixed = np.array([["red", math.nan], [None, 2.0]], dtype=object)
    assert json.dumps(numeric) == "[[1.0, null]]"
    assert json_rows(mixed) == [["red", None], [None, 2.0]]


@pytest.mark.parametrize(
    ("matrix", "expected"),
    [
        (np.array([[1, 2, 3]]), [[1.0, None, 3.0]]),
        (np.array([[1.5, 2.5, 3.5]]), [[1.5, None, 3.5]]),
        (np.array([["a", "secret", 3]], dtype=object), [["a", None, 3]]),
    ],
)
def test_excluded_features_are_captured_as_null(matrix, expected):
    sink = RecordingSink()
    capture = DataCapture(
        sink,
        1.0,
        FailureCounter(),
        uniform=lambda: 0.0,
        clock=lambda: NOW,
        excluded_features=frozenset({"email", "not-a-feature"}),
    )
    scores = Scores(np.array([1]), None, None)
    for capture_call in (capture.capture_request, capture.capture_rows):
        assert capture_call(
            request_id="r",
            model_name="m",
            model_version="v1",
            features=["age", "email", "score"],
            matrix=matrix,
            scores=scores,
        )
    request, rows = (CaptureRecord.model_validate_json(lines[0]) for lines in sink.deliveries)
    assert request.rows == expected
    assert rows.rows == expected
    assert request.features == ["age", "email", "score"]
    # The caller's matrix is left as it was: the model already scored it.
    assert matrix[0, 1] in (2, 2.5, "secret")
