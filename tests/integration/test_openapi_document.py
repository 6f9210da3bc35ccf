"""GET /openapi.json documents every answer the API gives, in the shape it gives it."""

import pytest

from tests.integration.conftest import load_event

ERROR_STATUSES = {"400", "413", "415", "422", "500", "503"}


def _document(invoke_predict) -> dict:
    event = load_event("get_health")
    event["path"] = event["resource"] = "/openapi.json"
    response = invoke_predict(event)
    assert response["statusCode"] == 200, response["body"]
    return response["json"]


def test_predict_documents_each_status_with_the_real_error_body(invoke_predict, champion):
    document = _document(invoke_predict)
    responses = document["paths"]["/predict"]["post"]["responses"]
    assert set(responses) == {"200"} | ERROR_STATUSES
    for status in ERROR_STATUSES:
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorResponse"}
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert "detail" not in str(schemas["ErrorResponse"])
    assert set(schemas["ErrorResponse"]["required"]) == {"error", "request_id"}


def test_the_request_schema_is_the_champions_feature_schema(invoke_predict, champion):
    document = _document(invoke_predict)
    assert document["info"]["version"] == champion.version
    rows = document["components"]["schemas"]["PredictRequest"]["properties"]["instances"]
    by_name, in_order = rows["items"]["anyOf"]
    names = champion.feature_schema.names
    assert by_name["required"] == names
    assert by_name["additionalProperties"] is False
    first = champion.feature_schema.features[0]
    assert by_name["properties"][first.name]["type"] == "number"
    assert by_name["properties"][first.name]["x-training-range"]["minimum"] == pytest.approx(
        first.minimum
    )
    assert in_order["minItems"] == in_order["maxItems"] == len(names)


def test_without_a_champion_the_document_still_answers(invoke_predict, registry):
    document = _document(invoke_predict)
    assert document["info"]["version"] == "no model loaded"
    assert "/predict" in document["paths"]
    assert "/openapi.json" not in document["paths"]


def test_the_document_route_is_behind_the_same_api_auth(stack):
    events = stack.template["Resources"]["PredictFunction"]["Properties"]["Events"]
    assert events["OpenApi"]["Properties"] == {
        "RestApiId": {"Ref": "PredictApi"},
        "Path": "/openapi.json",
        "Method": "get",
    }
