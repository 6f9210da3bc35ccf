"""The API's documented routes, registered on any resolver.

PredictFunction registers them with its prediction service; ``openapi.contract_resolver``
registers them with none, on a fresh resolver, so ``sklambda openapi`` writes the same document
the API serves.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from sklambda.api.models import HealthResponse, PredictRequest, PredictResponse


class PredictionApi(Protocol):
    """What the routes ask of the service behind them."""

    def predict(
        self, instances: Sequence[Mapping[str, Any] | Sequence[Any]], request_id: str
    ) -> PredictResponse: ...

    def model_summary(self) -> dict[str, Any]: ...

    def health(self) -> HealthResponse: ...


def register_routes(app: APIGatewayRestResolver, service: Callable[[], PredictionApi]) -> None:
    """``service`` is called per request (a cached getter), never while registering."""

    @app.post("/predict")
    def predict(request: PredictRequest) -> PredictResponse:
        return service().predict(request.instances, app.current_event.request_context.request_id)

    @app.get("/model")
    def model() -> dict[str, Any]:
        return service().model_summary()

    @app.get("/health")
    def health() -> HealthResponse:
        return service().health()
