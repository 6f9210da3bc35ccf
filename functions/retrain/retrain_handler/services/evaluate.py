"""Evaluate: measure candidate and champion on the same holdout, then let the gate decide."""

import statistics
import time
from typing import Any

import numpy as np

from retrain_handler.models import EvaluateInput
from sklambda.errors import IncompatibleModelError
from sklambda.observability import logger
from sklambda.registry.loader import LoadedModel, ModelLoader
from sklambda.registry.manifest import Manifest
from sklambda.retraining import data
from sklambda.retraining.gate import Evidence, GatePolicy, Verdict, judge
from sklambda.runtime.registry import SERVE_ARTIFACT, check_servable
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


def unservable(manifest: Manifest, inference_runtime: str) -> str | None:
    """Why the serving functions would refuse the version (Promote would too), or None.

    Judged from the manifest: under onnx, the graph and the parity measured when the version
    was published (sklambda.training.onnx_export), so this step needs no ONNX Runtime.
    """
    try:
        check_servable(manifest, inference_runtime)
    except IncompatibleModelError as error:
        return f"cannot serve under InferenceRuntime={inference_runtime}: {error}"
    return None


def measure(
    model: LoadedModel,
    matrix: np.ndarray,
    target: np.ndarray,
    inference_runtime: str = SERVE_ARTIFACT,
) -> Evidence:
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
        unservable=unservable(manifest, inference_runtime),
    )


class EvaluateService:
    def __init__(
        self,
        s3: Any,
        bucket: str,
        loader: ModelLoader,
        policy: GatePolicy,
        inference_runtime: str = SERVE_ARTIFACT,
    ) -> None:
        self._inference_runtime = inference_runtime
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
            measure(candidate, matrix, holdout.target, self._inference_runtime),
            measure(champion, matrix, holdout.target, self._inference_runtime),
        )
        logger.info("candidate judged", extra={"verdict": verdict.model_dump()})
        return verdict
