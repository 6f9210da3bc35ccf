"""PredictFunction handler: routes wire HTTP to the prediction service, nothing more."""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from predict_handler.dependencies import get_prediction_service
from predict_handler.handlers.edge import EdgeRefusal, prepare, refusal_response
from predict_handler.handlers.errors import register_error_handlers
from predict_handler.handlers.snapstart import after_restore, before_snapshot
from predict_handler.settings import get_settings
from sklambda import json_input
from sklambda.api.openapi import build_document, swagger_page
from sklambda.api.routes import register_routes
from sklambda.observability import logger, metrics, tracer
from sklambda.snapstart import register_hooks

get_settings()  # a misconfigured stack fails at cold start, not on the first request
register_hooks(before_snapshot, after_restore)

app = APIGatewayRestResolver(enable_validation=True, json_body_deserializer=json_input.loads)
register_error_handlers(app)
register_routes(app, get_prediction_service)


@app.get("/openapi.json", include_in_schema=False)
def openapi_document() -> dict[str, Any]:
    contract = get_prediction_service().feature_schema()
    schema, version = contract if contract else (None, None)
    return build_document(app, schema, version)


@app.get("/swagger", include_in_schema=False)
def swagger() -> Response[str]:
    """The document rendered by Swagger UI, its script and styles inline (no CDN)."""
    return Response(
        status_code=200,
        content_type="text/html; charset=utf-8",
        body=swagger_page(openapi_document()),
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        prepared = prepare(event, context.aws_request_id)
    except EdgeRefusal as refusal:
        return refusal_response(refusal, _request_id(event, context))
    return app.resolve(prepared, context)


def _request_id(event: Any, context: LambdaContext) -> str:
    request_context = event.get("requestContext") if isinstance(event, dict) else None
    found = request_context.get("requestId") if isinstance(request_context, dict) else None
    return found if isinstance(found, str) else context.aws_request_id
