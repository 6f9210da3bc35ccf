"""The API's documented routes, registered on any resolver.

The function registers them on its app; ``openapi.contract_resolver`` registers them on a fresh
resolver with no settings, so ``sklambda openapi`` writes the same document the API serves.
"""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from predict_handler.dependencies import get_prediction_service
from predict_handler.models import HealthResponse, PredictRequest, PredictResponse


def register_routes(app: APIGatewayRestResolver) -> None:
    @app.post("/predict")
    def predict(request: PredictRequest) -> PredictResponse:
        return get_prediction_service().predict(
            request.instances, app.current_event.request_context.request_id
        )

    @app.get("/model")
    def model() -> dict[str, Any]:
        return get_prediction_service().model_summary()

    @app.get("/health")
    def health() -> HealthResponse:
        return get_prediction_service().health()
