"""The API's OpenAPI document: the routes Powertools knows, with the answers the API really gives.

Powertools documents a 422 of its own shape (``{"detail": [...]}``) and no other error. Here
every error status is documented with the one error body the API returns, and, when a
champion is loaded, the request rows are described by its feature schema: names, types,
which may be null, and the ranges and categories seen in training (informative: rows outside
them are still scored). Extend ``build_document`` for a per-model contract.
"""

import json
from functools import cache
from importlib import resources
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

from sklambda.api.models import ErrorResponse
from sklambda.api.routes import PredictionApi, register_routes
from sklambda.registry.manifest import Manifest
from sklambda.schema import Feature, FeatureKind, FeatureSchema

TITLE = "sklambda prediction API"
DESCRIPTION = (
    "Predictions from the champion model of the registry. Every answer other than 200 is an "
    "ErrorResponse. Request bodies are UTF-8 JSON sent as application/json or any "
    "application/*+json media type (matched case-insensitively, parameters allowed)."
)
_COMPONENTS = "#/components/schemas/"
_POWERTOOLS_ONLY = ("HTTPValidationError", "ValidationError")

_ERRORS: dict[int, str] = {
    400: "The body is not UTF-8 JSON, or is nested too deeply",
    413: "More rows than one request may carry",
    415: "The body's Content-Type is not JSON (application/json or application/*+json, UTF-8)",
    422: "The body is JSON but not a valid request: each problem is named by row and feature",
    500: "An internal fault; quote the request id when reporting it",
    503: "No model can serve (the registry has no champion, or cannot be read)",
}
# Which error answers each operation can give, beyond 200.
_OPERATION_ERRORS: dict[tuple[str, str], tuple[int, ...]] = {
    ("/predict", "post"): (400, 413, 415, 422, 500, 503),
    ("/model", "get"): (500, 503),
    ("/health", "get"): (500,),
}


def _error_response(status: int) -> dict[str, Any]:
    return {
        "description": _ERRORS[status],
        "content": {"application/json": {"schema": {"$ref": f"{_COMPONENTS}ErrorResponse"}}},
    }


def _feature_value(feature: Feature) -> dict[str, Any]:
    if feature.kind is FeatureKind.NUMERIC:
        value: dict[str, Any] = {"type": "number"}
        seen = {"minimum": feature.minimum, "maximum": feature.maximum}
        value["x-training-range"] = {key: bound for key, bound in seen.items() if bound is not None}
    else:
        value = {"type": "string"}
        if feature.categories is not None:
            value["x-training-categories"] = feature.categories
    if feature.allows_missing:
        value = {"anyOf": [value, {"type": "null"}]}
    return value


def request_schema(schema: FeatureSchema) -> dict[str, Any]:
    """Rows as objects keyed by feature name, or arrays in schema order."""
    values = [_feature_value(feature) for feature in schema.features]
    by_name = {
        "type": "object",
        "properties": dict(zip(schema.names, values, strict=True)),
        "required": schema.names,
        "additionalProperties": False,
    }
    in_order = {
        "type": "array",
        "prefixItems": values,
        "items": False,
        "minItems": len(values),
        "maxItems": len(values),
    }
    return {
        "title": "PredictRequest",
        "type": "object",
        "properties": {
            "instances": {
                "type": "array",
                "minItems": 1,
                "items": {"anyOf": [by_name, in_order]},
                "description": "Rows as objects keyed by feature name, or arrays in schema order",
            }
        },
        "required": ["instances"],
    }


def build_document(
    app: APIGatewayRestResolver, schema: FeatureSchema | None, model_version: str | None
) -> dict[str, Any]:
    document: dict[str, Any] = app.get_openapi_schema(
        title=TITLE,
        version=model_version or "no model loaded",
        description=DESCRIPTION,
    ).model_dump(mode="json", by_alias=True, exclude_none=True)
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _POWERTOOLS_ONLY:
        components.pop(name, None)
    components["ErrorResponse"] = ErrorResponse.model_json_schema(
        ref_template=_COMPONENTS + "{model}"
    )
    components.update(components["ErrorResponse"].pop("$defs", {}))
    if schema is not None:
        components["PredictRequest"] = request_schema(schema)
    for (path, method), statuses in _OPERATION_ERRORS.items():
        operation = document["paths"][path][method]
        responses = {key: value for key, value in operation["responses"].items() if key == "200"}
        responses.update({str(status): _error_response(status) for status in statuses})
        operation["responses"] = responses
    return document


class DocumentOnlyError(RuntimeError):
    """A resolver built to be documented was asked to serve a request."""


def _no_service() -> PredictionApi:
    raise DocumentOnlyError("this resolver documents the API's routes; it serves no requests")


def contract_resolver() -> APIGatewayRestResolver:
    """A resolver with the API's documented routes and no service: what the CLI documents."""
    app = APIGatewayRestResolver(enable_validation=True)
    register_routes(app, _no_service)
    return app


def document_for(manifest: Manifest, version: str) -> dict[str, Any]:
    """The document the API serves while ``version`` (described by ``manifest``) is champion."""
    return build_document(contract_resolver(), manifest.feature_schema, version)


@cache
def _swagger_assets() -> tuple[str, str]:
    """Swagger UI as Powertools ships it inside its package: no CDN is needed to render."""
    bundled = resources.files("aws_lambda_powertools.event_handler.openapi") / "swagger_ui"
    script = (bundled / "swagger-ui-bundle.min.js").read_text(encoding="utf-8")
    styles = (bundled / "swagger-ui.min.css").read_text(encoding="utf-8")
    return script, styles


def swagger_page(document: dict[str, Any]) -> str:
    """One self-contained HTML page (script, styles and document inline) rendering ``document``."""
    script, styles = _swagger_assets()
    # "</" inside the inline JSON would close the <script> element early.
    spec = json.dumps(document).replace("</", "<\\/")
    return generate_swagger_html(spec, script, styles, "", None)
