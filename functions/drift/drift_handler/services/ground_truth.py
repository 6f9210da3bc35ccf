"""Joins an uploaded label file with the captured predictions it refers to, and scores them.

Matched rows are kept under ``labelled/<model>/dt=YYYY-MM-DD/`` as CSV with the model's
feature columns and its training target column, the format `sklambda train --csv` reads,
so retraining can append them to its training data. Unmatched labels are listed in the
report and counted in ``LabelsUnmatched``.
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

from drift_handler.adapters.capture_store import CaptureStore
from drift_handler.adapters.label_store import LabelStore
from drift_handler.adapters.report_store import ReportStore
from drift_handler.labels import Label, parse_labels
from drift_handler.models import GroundTruthResult
from drift_handler.scoring import score
from drift_handler.telemetry import MonitoringTelemetry
from sklambda.monitoring.capture import CaptureRecord
from sklambda.observability import logger
from sklambda.registry.manifest import Manifest
from sklambda.registry.store import ModelRegistry


@dataclass(frozen=True)
class CapturedRow:
    version: str
    features: list[str]
    values: list[Any]
    prediction: Any
    probabilities: list[float] | None
    classes: list[str] | None


class GroundTruthReport(GroundTruthResult):
    unmatched_labels: list[Label]


def _index(records: Any, wanted: set[str]) -> dict[tuple[str, int], CapturedRow]:
    index: dict[tuple[str, int], CapturedRow] = {}
    record: CaptureRecord
    for record in records:
        if record.request_id not in wanted:
            continue
        for position, row_id in enumerate(record.row_ids):
            index[(record.request_id, row_id)] = CapturedRow(
                version=record.model_version,
                features=record.features,
                values=record.rows[position],
                prediction=record.predictions[position],
                probabilities=record.probabilities[position] if record.probabilities else None,
                classes=record.classes,
            )
    return index


class GroundTruthService:
    def __init__(
        self,
        labels: LabelStore,
        registry: ModelRegistry,
        captures: CaptureStore,
        reports: ReportStore,
        telemetry: MonitoringTelemetry,
        *,
        label_lookback: timedelta,
    ) -> None:
        self._label_lookback = label_lookback
        self._labels = labels
        self._registry = registry
        self._captures = captures
        self._reports = reports
        self._telemetry = telemetry

    def process(self, bucket: str, key: str, now: datetime) -> GroundTruthResult:
        labels = parse_labels(key, self._labels.read_upload(bucket, key))
        since = now - self._label_lookback
        objects = self._captures.objects_written(since, now)
        index = _index(self._captures.records(objects), {label.request_id for label in labels})
        matched: dict[str, list[tuple[Label, CapturedRow]]] = {}
        unmatched: list[Label] = []
        for label in labels:
            row = index.get((label.request_id, label.row))
            if row is None:
                unmatched.append(label)
            else:
                matched.setdefault(row.version, []).append((label, row))
        stem = PurePosixPath(key).stem
        scores: dict[str, dict[str, float]] = {}
        written: list[str] = []
        for version, pairs in sorted(matched.items()):
            manifest = self._registry.manifest(version)
            scores[version] = self._score(manifest, pairs)
            self._telemetry.performance(version, scores[version], len(pairs))
            written.append(
                self._labels.keep_labelled(f"{stem}-{version}", now, _labelled_csv(manifest, pairs))
            )
        self._telemetry.unmatched_labels(len(unmatched))
        if unmatched:
            logger.warning(
                "labels without a captured prediction",
                extra={"file": key, "unmatched": len(unmatched), "of": len(labels)},
            )
        result = GroundTruthResult(
            labels_file=f"s3://{bucket}/{key}",
            labels=len(labels),
            matched=len(labels) - len(unmatched),
            unmatched=len(unmatched),
            scores=scores,
            labelled_data=written,
            report="",
        )
        report = self._reports.put(
            f"ground-truth/{now:%Y-%m-%d}/{stem}.json",
            GroundTruthReport(**result.model_dump(), unmatched_labels=unmatched).model_dump_json(
                indent=2, exclude={"report"}
            ),
            "application/json",
        )
        return result.model_copy(update={"report": report})

    @staticmethod
    def _score(manifest: Manifest, pairs: list[tuple[Label, CapturedRow]]) -> dict[str, float]:
        classes = [str(label) for label in manifest.classes or []]
        rows = [(str(label.label), str(row.prediction), row.probabilities) for label, row in pairs]
        return score(manifest.task, rows, classes)


def _labelled_csv(manifest: Manifest, pairs: list[tuple[Label, CapturedRow]]) -> str:
    """The model's feature columns, then its training target column: what training reads."""
    features = manifest.feature_schema.names
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*features, manifest.training_data.target])
    for label, row in pairs:
        values = dict(zip(row.features, row.values, strict=True))
        writer.writerow(["" if values[f] is None else values[f] for f in features] + [label.label])
    return buffer.getvalue()
