"""DriftFunction and GroundTruthFunction over traffic captured as the capture stream delivers it."""

import csv
import gzip
import io
import re
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from drift_handler.adapters.watermark import Watermark
from drift_handler.settings import DriftSettings, GroundTruthSettings
from sklambda.monitoring.capture import CaptureSource, DataCapture
from sklambda.runtime.scikit_learn import SklearnPredictor
from tests.local.scenarios.core import Scenario, Seeded

# The drift scenario's traffic: these leading features arrive 60% larger than in training.
SHIFTED_FEATURES = 8
SHIFT_FACTOR = 1.6
ROWS_PER_REQUEST = 20
# Rows the ground-truth scenario captures per request, and the requests it labels.
LABELLED_REQUESTS = {"local-ground-truth-a": range(0, 10), "local-ground-truth-b": range(40, 50)}
NEVER_CAPTURED = "local-ground-truth-never-captured"


class _Collected:
    """A capture sink that keeps the lines the capture adapter would deliver."""

    def __init__(self) -> None:
        self.lines: list[bytes] = []

    def deliver(self, lines: Sequence[bytes]) -> None:
        self.lines.extend(lines)


class _FailOnCaptureFailure:
    def capture_failed(self, source: CaptureSource, records: int) -> None:
        raise AssertionError(f"capturing {records} {source} records failed")


def drift_settings(seeded: Seeded) -> DriftSettings:
    environment = seeded.aws.stack.function_environment("DriftFunction")
    return DriftSettings.from_environment(environment)


def ground_truth_settings(seeded: Seeded) -> GroundTruthSettings:
    environment = seeded.aws.stack.function_environment("GroundTruthFunction")
    return GroundTruthSettings.from_environment(environment)


def capture_lines(seeded: Seeded, requests: dict[str, np.ndarray]) -> list[bytes]:
    """The champion's real predictions for each request, as the capture adapter records them."""
    sink = _Collected()
    capture = DataCapture(sink, 1.0, _FailOnCaptureFailure())
    manifest, estimator = seeded.champion, seeded.champion_model.estimator
    for request_id, matrix in requests.items():
        delivered = capture.capture_request(
            request_id=request_id,
            model_name=manifest.model_name,
            model_version=manifest.version or "",
            features=manifest.feature_schema.names,
            matrix=matrix,
            scores=SklearnPredictor(estimator, manifest.task).predict(matrix),
        )
        assert delivered, f"the capture adapter did not deliver {request_id}"
    return sink.lines


def put_as_firehose_delivers(seeded: Seeded, lines: list[bytes]) -> str:
    """One object as the template's delivery stream writes it: GZIP, in <Prefix>YYYY/MM/DD/HH/."""
    stream = seeded.aws.stack.properties("CaptureDeliveryStream")
    destination = stream["ExtendedS3DestinationConfiguration"]
    assert destination["CompressionFormat"] == "GZIP"
    now = datetime.now(UTC)
    name = seeded.aws.stack.name_of("CaptureDeliveryStream")
    key = (
        f"{destination['Prefix']}{now:%Y/%m/%d/%H}/"
        f"{name}-1-{now:%Y-%m-%d-%H-%M-%S}-{uuid.uuid4()}.gz"
    )
    body = gzip.compress(b"".join(lines))
    seeded.s3().put_object(Bucket=seeded.aws.bucket, Key=key, Body=body)
    return key


# ---------------------------------------------------------------- DriftFunction


def prepare_drift(seeded: Seeded) -> None:
    """A previous run ended just now, then shifted traffic of DriftMinSamples + 100 rows came in.

    S3 keeps whole seconds, so the traffic is written in the second after the watermark: the
    window holds this scenario's rows only, whatever other scenarios captured before.
    """
    settings = drift_settings(seeded)
    rows = int(seeded.aws.stack.parameter("DriftMinSamples")) + 100
    previous_end = datetime.now(UTC).replace(microsecond=0)
    watermark = Watermark(evaluated_until=previous_end, run_id=f"{previous_end:%Y%m%dT%H%M%SZ}")
    seeded.s3().put_object(
        Bucket=seeded.aws.bucket,
        Key=settings.model_keys().drift_watermark_key,
        Body=watermark.model_dump_json().encode(),
    )
    time.sleep(1.05 - time.time() % 1)
    source = seeded.data.matrix()
    sample = source[np.random.default_rng(7).integers(0, source.shape[0], rows)].copy()
    sample[:, :SHIFTED_FEATURES] *= SHIFT_FACTOR
    requests = {
        f"local-drift-{start // ROWS_PER_REQUEST}": sample[start : start + ROWS_PER_REQUEST]
        for start in range(0, rows, ROWS_PER_REQUEST)
    }
    put_as_firehose_delivers(seeded, capture_lines(seeded, requests))


def check_drift(payload: Any, seeded: Seeded, _: dict[str, Any]) -> None:
    settings = drift_settings(seeded)
    rows = int(seeded.aws.stack.parameter("DriftMinSamples")) + 100
    # Exactly the seeded object and rows: the window started at the seeded watermark.
    assert payload["captured_objects"] == 1, payload
    assert payload["watermark_advanced"] is True, payload
    watermark = Watermark.model_validate(
        seeded.read_json(settings.model_keys().drift_watermark_key)
    )
    assert watermark.evaluated_until == datetime.fromisoformat(payload["window_end"])
    (version,) = payload["versions"]
    assert version["model_version"] == seeded.champion.version
    assert (version["sample_size"], version["insufficient_data"]) == (rows, False)
    names = seeded.champion.feature_schema.names
    assert set(names[:SHIFTED_FEATURES]) <= set(version["drifted_features"]), version
    assert version["max_psi"] >= settings.psi_threshold
    reports = f"{settings.model_keys().reports_root}drift/{seeded.champion.version}/"
    json_key = seeded.key_of(version["json_report"])
    html_key = seeded.key_of(version["html_report"])
    assert json_key.startswith(reports), json_key
    assert html_key.startswith(reports), html_key
    report = seeded.read_json(json_key)
    assert report["sample_size"] == rows
    assert {feature["name"] for feature in report["features"]} == set(names)
    html = seeded.read_text(html_key)
    assert sorted(re.findall(r'data-feature="([^"]+)"', html)) == sorted(names)


# ---------------------------------------------------------------- GroundTruthFunction


def _labels(seeded: Seeded) -> list[tuple[str, int, Any]]:
    """(request id, row, true label) for every captured row, and one for a request never seen."""
    labelled = [
        (request_id, row, seeded.data.target[index].item())
        for request_id, indices in LABELLED_REQUESTS.items()
        for row, index in enumerate(indices)
    ]
    return [*labelled, (NEVER_CAPTURED, 0, seeded.data.target[0].item())]


def _labels_key(event: dict[str, Any]) -> str:
    return str(event["detail"]["object"]["key"])


def prepare_ground_truth(seeded: Seeded) -> None:
    event = GROUND_TRUTH.event_with(None)
    assert event["detail"]["bucket"]["name"] == seeded.aws.bucket
    source = seeded.data.matrix()
    requests = {request_id: source[list(rows)] for request_id, rows in LABELLED_REQUESTS.items()}
    put_as_firehose_delivers(seeded, capture_lines(seeded, requests))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["request_id", "row", "label"])
    writer.writerows(_labels(seeded))
    seeded.s3().put_object(
        Bucket=seeded.aws.bucket, Key=_labels_key(event), Body=buffer.getvalue().encode()
    )


def check_ground_truth(payload: Any, seeded: Seeded, event: dict[str, Any]) -> None:
    settings = ground_truth_settings(seeded)
    labels = _labels(seeded)
    matched = [label for label in labels if label[0] != NEVER_CAPTURED]
    assert payload["labels_file"] == f"s3://{seeded.aws.bucket}/{_labels_key(event)}"
    assert (payload["labels"], payload["matched"], payload["unmatched"]) == (
        len(labels),
        len(matched),
        1,
    ), payload
    source = seeded.data.matrix()
    rows = [index for indices in LABELLED_REQUESTS.values() for index in indices]
    predicted = seeded.champion_model.estimator.predict(source[rows])
    expected_accuracy = float(np.mean(predicted == seeded.data.target[rows]))
    scores = payload["scores"][seeded.champion.version]
    assert abs(scores["Accuracy"] - expected_accuracy) < 1e-9, scores
    (labelled_uri,) = payload["labelled_data"]
    labelled_key = seeded.key_of(labelled_uri)
    assert labelled_key.startswith(f"{settings.model_keys().labelled_root}dt="), labelled_key
    table = list(csv.reader(io.StringIO(seeded.read_text(labelled_key))))
    target = seeded.champion.training_data.target
    assert table[0] == [*seeded.champion.feature_schema.names, target]
    assert [int(line[-1]) for line in table[1:]] == [label for _, _, label in matched]
    report_key = seeded.key_of(payload["report"])
    assert report_key.startswith(f"{settings.model_keys().reports_root}ground-truth/"), report_key
    report = seeded.read_json(report_key)
    assert [label["request_id"] for label in report["unmatched_labels"]] == [NEVER_CAPTURED]


GROUND_TRUTH = Scenario("labels_uploaded", check_ground_truth, prepare_ground_truth)

MONITORING = {
    "DriftFunction": Scenario("drift_schedule", check_drift, prepare_drift),
    "GroundTruthFunction": GROUND_TRUTH,
}
