"""Prediction domain logic: validate rows against the champion's schema, predict, measure."""

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from predict_handler.telemetry import PredictionTelemetry
from sklambda.api.models import HealthResponse, PredictResponse, RowWarning
from sklambda.errors import ModelUnavailableError, SklambdaError
from sklambda.monitoring.capture import DataCapture
from sklambda.registry.loader import LoadedModel, ModelLoader
from sklambda.runtime import Scores
from sklambda.schema import FeatureSchema, unseen_categories, validate_instances


class TooManyRowsError(SklambdaError):
    pass


class PredictionService:
    def __init__(
        self,
        loader: ModelLoader,
        telemetry: PredictionTelemetry,
        max_rows: int,
        capture: DataCapture,
    ) -> None:
        self._loader = loader
        self._telemetry = telemetry
        self._max_rows = max_rows
        self._capture = capture

    def predict(
        self, instances: Sequence[Mapping[str, Any] | Sequence[Any]], request_id: str
    ) -> PredictResponse:
        if len(instances) > self._max_rows:
            self._telemetry.invalid_request("too_many_rows")
            raise TooManyRowsError(
                f"{len(instances)} rows sent; at most {self._max_rows} are accepted per request"
            )
        model = self._model()
        started = time.perf_counter()
        try:
            features = validate_instances(model.manifest.feature_schema, instances)
        except SklambdaError:
            self._telemetry.invalid_request("schema", model.version)
            raise
        scores = model.predictor.predict(features)
        response = _response(model, scores, request_id)
        unseen = unseen_categories(model.manifest.feature_schema, features)
        if unseen:
            response.warnings = [
                RowWarning(row=item.row, feature=item.feature, value=item.value, message=str(item))
                for item in unseen
            ]
            self._telemetry.unseen_categories(
                model.version, Counter(item.feature for item in unseen)
            )
        self._telemetry.predicted(model.version, len(instances), time.perf_counter() - started)
        self._capture.capture_request(
            request_id=request_id,
            model_name=model.manifest.model_name,
            model_version=model.version,
            features=model.manifest.feature_schema.names,
            matrix=features,
            scores=scores,
        )
        return response

    def _model(self) -> LoadedModel:
        previous = self._loader.loaded
        failures = self._loader.failures
        model = self._loader.current()
        if model is not previous:
            self._telemetry.model_loaded(model.version, model.load_seconds)
        if self._loader.failures > failures:
            self._telemetry.model_refresh_failed(model.version)
        return model

    def feature_schema(self) -> tuple[FeatureSchema, str] | None:
        """The champion's schema and version, or None when no model can be loaded."""
        try:
            model = self._model()
        except ModelUnavailableError:
            return None
        return model.manifest.feature_schema, model.version

    def model_summary(self) -> dict[str, Any]:
        summary = self._model().manifest.summary()
        problem = self._loader.champion_problem
        if problem:
            summary["champion_not_serving"] = {"version": problem.version, "reason": problem.reason}
        return summary

    def health(self) -> HealthResponse:
        loaded = self._loader.loaded
        problem = self._loader.champion_problem
        return HealthResponse(
            status="degraded" if problem else "ok",
            model_loaded=loaded is not None,
            model_version=loaded.version if loaded else None,
            champion_version=problem.version if problem else None,
            champion_error=problem.reason if problem else None,
        )


def _response(model: LoadedModel, scores: Scores, request_id: str) -> PredictResponse:
    probabilities = None
    if scores.probabilities is not None and scores.classes is not None:
        keys = [str(label) for label in scores.classes]
        probabilities = [dict(zip(keys, row, strict=True)) for row in scores.probabilities.tolist()]
    return PredictResponse(
        predictions=scores.labels.tolist(),
        probabilities=probabilities,
        model_name=model.manifest.model_name,
        model_version=model.version,
        request_id=request_id,
    )
