"""Real-time capture as log lines: the line format, the size limit, and the template's path from
the log group to capture/ (subscription filter, Firehose processing, encrypted log group)."""

import json
import math
from datetime import UTC, datetime

import numpy as np
import pytest

from sklambda.monitoring.capture import (
    LOG_EVENT_MAX_BYTES,
    CaptureRecord,
    DataCapture,
    LogLineCaptureSink,
    encode_record,
    json_rows,
)
from sklambda.runtime import Scores
from sklambda_local.filter_pattern import FilterPatternError, json_filter_pattern
from sklambda_local.log_subscriptions import (
    firehose_processing,
    subscription_payload,
    subscriptions,
)
from sklambda_local.template import LocalStack

NOW = datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


class Lines:
    def __init__(self) -> None:
        self.lines: list[bytes] = []

    def deliver(self, lines):
        self.lines.extend(lines)


class NoFailures:
    def capture_failed(self, source, records):
        raise AssertionError(f"{records} {source} records failed")


def _capture(sink, **options) -> DataCapture:
    return DataCapture(sink, 1.0, NoFailures(), uniform=lambda: 0.0, clock=lambda: NOW, **options)


def _request(capture: DataCapture, matrix: np.ndarray, model_name: str = "sklambda-model") -> None:
    rows = len(matrix)
    assert capture.capture_request(
        request_id="r1",
        model_name=model_name,
        model_version="v1",
        features=[f"f{i}" for i in range(matrix.shape[1])],
        matrix=matrix,
        scores=Scores(
            np.arange(rows) % 2,
            np.tile(np.array([[0.25, 0.75]], dtype=np.float32), (rows, 1)),
            (0, 1),
        ),
    )


@pytest.mark.parametrize("seed", range(5))
def test_a_line_is_the_record_pydantic_would_write_for_any_numbers(seed):
    # Given matrices the capture was not written for: any magnitude, NaN, infinities, ints
    rng = np.random.default_rng(seed)
    matrix = rng.normal(scale=10.0 ** rng.integers(-30, 30), size=(7, 4))
    matrix[rng.random(matrix.shape) < 0.2] = np.nan
    matrix[0, 0] = np.inf
    sink = Lines()
    _request(_capture(sink), matrix)
    (line,) = sink.lines
    assert line.endswith(b"\n")
    assert line.count(b"\n") == 1
    record = CaptureRecord.model_validate_json(line)
    # Then it reads back as the same record pydantic builds from the same values
    expected = [[None if not math.isfinite(v) else v for v in row] for row in matrix.tolist()]
    assert record.rows == expected
    assert record.captured_at == NOW
    assert record.probabilities == [[0.25, 0.75]] * 7
    assert record.classes == ["0", "1"]
    assert json.loads(line)["captured_at"] == "2030-01-02T03:04:05.678901Z"
    assert record == CaptureRecord.model_validate_json(record.model_dump_json())


def test_text_features_and_numpy_scalars_are_written_as_json_values():
    matrix = np.array([["red", np.float64(1.5)], [None, math.nan]], dtype=object)
    line = encode_record({"rows": json_rows(matrix)})
    assert json.loads(line) == {"rows": [["red", 1.5], [None, None]]}
    with pytest.raises(TypeError):
        encode_record({"rows": [[object()]]})


def test_the_log_sink_prints_one_line_per_record(capsys):
    _request(_capture(LogLineCaptureSink()), np.ones((2, 3)))
    (printed,) = capsys.readouterr().out.splitlines()
    assert CaptureRecord.model_validate_json(printed).row_ids == [0, 1]


def test_a_request_too_large_for_one_log_event_is_split_by_rows():
    sink = Lines()
    matrix = np.random.default_rng(0).normal(size=(5000, 30))
    _request(_capture(sink, max_record_bytes=LOG_EVENT_MAX_BYTES), matrix)
    assert len(sink.lines) > 1
    assert all(len(line) <= LOG_EVENT_MAX_BYTES for line in sink.lines)
    records = [CaptureRecord.model_validate_json(line) for line in sink.lines]
    assert [row_id for record in records for row_id in record.row_ids] == list(range(5000))
    assert [row for record in records for row in record.rows] == matrix.tolist()


# ---------------------------------------------------------------- the template's log path
@pytest.fixture(scope="module")
def subscription():
    (found,) = subscriptions(LocalStack())
    return found


def _capture_line(model_name: str = "sklambda-model") -> str:
    sink = Lines()
    _request(_capture(sink), np.ones((1, 2)), model_name)
    return sink.lines[0].decode().rstrip("\n")


def test_the_subscription_selects_capture_records_and_nothing_else(subscription, capsys):
    from sklambda.observability import logger, metrics

    logger.info("prediction served", extra={"source": "predict", "schema_version": 1})
    metrics.add_metric("CaptureFailures", "Count", 1)
    metrics.add_dimension("Source", "predict")
    metrics.flush_metrics()
    application_lines = capsys.readouterr().out.splitlines()
    assert application_lines
    assert subscription.matches(_capture_line())
    assert not subscription.matches(_capture_line("another-model"))
    assert not any(subscription.matches(line) for line in application_lines)
    assert not subscription.matches("START RequestId: 1 Version: $LATEST")


def test_predict_log_group_is_the_one_subscribed_retained_and_encrypted():
    stack = LocalStack()
    (found,) = subscriptions(stack)
    group = stack.properties("PredictFunctionLogGroup")
    assert (
        found.log_group
        == group["LogGroupName"]
        == "/aws/lambda/" + stack.name_of("PredictFunction")
    )
    assert group["RetentionInDays"] == stack.parameter("LogRetentionDays")
    assert group["KmsKeyId"] == stack.arn_of("PredictLogKey")
    key = stack.properties("PredictLogKey")
    assert key["EnableKeyRotation"] is True
    (logs,) = [s for s in key["KeyPolicy"]["Statement"] if "Service" in s["Principal"]]
    assert logs["Principal"]["Service"] == "logs.us-east-1.amazonaws.com"
    context = logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]
    assert context.endswith(":log-group:" + group["LogGroupName"])


def test_only_cloudwatch_logs_may_forward_and_only_to_the_capture_log_stream():
    stack = LocalStack()
    role = stack.properties("CaptureSubscriptionRole")
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "logs.amazonaws.com"}
    (policy,) = role["Policies"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Resource"] == stack.arn_of("CaptureLogDeliveryStream")
    assert stack.properties("CaptureSubscriptionFilter")["RoleArn"] == stack.arn_of(
        "CaptureSubscriptionRole"
    )


def test_firehose_processing_turns_a_subscription_payload_back_into_capture_lines(subscription):
    lines = [_capture_line(), _capture_line()]
    payload = subscription_payload(subscription, "stream", lines)
    processed = firehose_processing(subscription.processors, payload)
    records = [CaptureRecord.model_validate_json(line) for line in processed.splitlines()]
    assert [record.request_id for record in records] == ["r1", "r1"]
    assert processed.endswith(b"\n")
    # Without the template's processors, S3 would get gzip envelopes no reader understands
    assert firehose_processing([], payload) == payload


@pytest.mark.parametrize(
    ("pattern", "message", "expected"),
    [
        ('{ $.a = "x*" }', '{"a": "xyz"}', True),
        ('{ $.a = "x*" }', '{"a": "yx"}', False),
        ("{ ($.n >= 2) && ($.b.c = 1) }", '{"n": 2, "b": {"c": 1}}', True),
        ("{ ($.n >= 2) && ($.b.c = 1) }", '{"n": 2, "b": {"c": "1"}}', False),
        ('{ $.n < 0 || $.s != "ok" }', '{"n": 1, "s": "bad"}', True),
        ('{ $.n < 0 || $.s != "ok" }', '{"n": 1, "s": "ok"}', False),
        ('{ $.missing = "x" }', "not json", False),
    ],
)
def test_json_filter_patterns(pattern, message, expected):
    assert json_filter_pattern(pattern)(message) is expected


@pytest.mark.parametrize(
    "pattern", ["ERROR", "{ $.a = 1 && $.b = 2 || $.c = 3 }", '{ $.a > "x" }', "{ $.a = }"]
)
def test_patterns_the_local_loop_cannot_evaluate_are_refused(pattern):
    with pytest.raises(FilterPatternError):
        json_filter_pattern(pattern)


@pytest.mark.parametrize(
    "scores",
    [
        Scores(np.array(["cat", "dog"]), np.array([[0.9, 0.1], [0.2, 0.8]]), ("cat", "dog")),
        Scores(np.array(["a", 1], dtype=object), np.array([[1.0, 0.0], [0.5, 0.5]]), ("a", 1)),
        Scores(np.array([1.5, -2.25])),
    ],
    ids=["text labels", "object labels", "regression"],
)
def test_labels_of_any_kind_are_written_as_the_record_expects(scores):
    sink = Lines()
    assert _capture(sink).capture_request(
        request_id="r",
        model_name="m",
        model_version="v",
        features=["x"],
        matrix=np.array([[1.0], [2.0]]),
        scores=scores,
    )
    (record,) = [CaptureRecord.model_validate_json(line) for line in sink.lines]
    assert record.predictions == scores.labels.tolist()
    expected = None if scores.probabilities is None else scores.probabilities.tolist()
    assert record.probabilities == expected
    assert record.classes == (None if scores.classes is None else [str(c) for c in scores.classes])
