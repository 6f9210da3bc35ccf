"""Evaluate: measure candidate and champion on the same holdout, then let the gate decide."""

import statistics
import time
from typing import Any

import numpy as np

from retrain_handler.models import EvaluateInput
from sklambda.observability import logger
from sklambda.registry.loader import LoadedModel, ModelLoader
from sklambda.retraining import data
from sklambda.retraining.gate import Evidence, GatePolicy, Verdict, judge
from sklambda.training.train import holdout_metrics

LATENCY_SAMPLES = 15


def _one_row_milliseconds(model: LoadedModel, matrix: np.ndarray) -> float:
    """Median single-row latency: what one API request costs, without the first-call warm-up."""
    predict = model.predictor.predict
    row = matrix[:1]
    predict(row)
    timings = []
    for _ in range(LATENCY_SAMPLES):
        started = time.perf_counter()
        predict(row)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def measure(model: LoadedModel, matrix: np.ndarray, target: np.ndarray) -> Evidence:
    manifest = model.manifest
    return Evidence(
        version=model.version,
        task=manifest.task,
        features=[
            (feature.name, feature.kind.value) for feature in manifest.feature_schema.features
        ],
        classes=manifest.classes,
        metrics=holdout_metrics(model.predictor, matrix, target),
        artifact_bytes=manifest.artifact.size_bytes,
        load_seconds=model.load_seconds,
        predict_milliseconds=_one_row_milliseconds(model, matrix),
    )


class EvaluateService:
    def __init__(self, s3: Any, bucket: str, loader: ModelLoader, policy: GatePolicy) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._loader = loader
        self._policy = policy

    def evaluate(self, request: EvaluateInput) -> Verdict:
        champion = self._loader.load_version(request.champion_version)
        candidate = self._loader.load_version(request.candidate_version)
        examples = data.read_jsonl_object(self._s3, self._bucket, request.holdout_key)
        manifest = champion.manifest
        holdout = data.to_training_data(
            manifest.feature_schema, manifest.training_data.target, examples, request.holdout_key
        )
        matrix = holdout.matrix()
        verdict = judge(
            self._policy,
            request.trigger.kind,
            measure(candidate, matrix, holdout.target),
            measure(champion, matrix, holdout.target),
        )
        logger.info("candidate judged", extra={"verdict": verdict.model_dump()})
        return verdict
