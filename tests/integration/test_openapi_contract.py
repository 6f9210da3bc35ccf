"""Real answers of the API hold to the document it serves; the CLI writes that same document."""

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from sklambda_cli.main import main
from tests.integration.conftest import load_event

PREDICT_EVENTS = [
    "predict_one_row",
    "predict_array_rows",
    "predict_malformed_json",
    "predict_missing_feature",
    "predict_nan_and_infinity",
    "predict_no_rows",
    "predict_too_many_rows",
    "predict_unknown_feature",
    "predict_wrong_type",
]


def _served_document(invoke_predict) -> dict[str, Any]:
    event = load_event("get_health")
    event["path"] = event["resource"] = "/openapi.json"
    response = invoke_predict(event)
    assert response["statusCode"] == 200, response["body"]
    return response["json"]


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    # The document's "#/components/..." references resolve against a root that carries them.
    return Draft202012Validator({**schema, "components": document["components"]})


def _check_answer(document: dict[str, Any], path: str, method: str, response: dict) -> None:
    responses = document["paths"][path][method]["responses"]
    status = str(response["statusCode"])
    assert status in responses, f"{method.upper()} {path} answered {status}, not documented"
    schema = responses[status]["content"]["application/json"]["schema"]
    errors = list(_validator(document, schema).iter_errors(response["json"]))
    assert not errors, f"{status} body breaks the document: {[e.message for e in errors]}"


def test_each_answer_matches_the_documented_schema_for_its_status(invoke_predict, champion):
    document = _served_document(invoke_predict)
    request_schema = document["components"]["schemas"]["PredictRequest"]
    seen = set()
    for name in PREDICT_EVENTS:
        event = load_event(name)
        response = invoke_predict(event)
        seen.add(response["statusCode"])
        _check_answer(document, "/predict", "post", response)
        if response["statusCode"] == 200:
            body = json.loads(event["body"])
            assert _validator(document, request_schema).is_valid(body), name
    for name, path in (("get_model", "/model"), ("get_health", "/health")):
        response = invoke_predict(load_event(name))
        assert response["statusCode"] == 200
        _check_answer(document, path, "get", response)
    # The events cover success and the refusals a caller meets most.
    assert {200, 400, 413, 422} <= seen


def test_a_refused_request_body_also_breaks_the_documented_request_schema(invoke_predict, champion):
    document = _served_document(invoke_predict)
    request = _validator(document, document["components"]["schemas"]["PredictRequest"])
    for name in ("predict_missing_feature", "predict_unknown_feature", "predict_no_rows"):
        event = load_event(name)
        assert invoke_predict(event)["statusCode"] == 422, name
        assert not request.is_valid(json.loads(event["body"])), name


def test_without_a_champion_the_503_matches_the_document(invoke_predict, registry):
    document = _served_document(invoke_predict)
    response = invoke_predict(load_event("predict_one_row"))
    assert response["statusCode"] == 503
    _check_answer(document, "/predict", "post", response)


def test_the_cli_writes_the_document_the_api_serves(
    invoke_predict, champion, registry, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("SKLAMBDA_BUCKET", registry.bucket)
    monkeypatch.setenv("SKLAMBDA_MODEL_NAME", registry.model_name)
    served = _served_document(invoke_predict)
    capsys.readouterr()  # the handler's metrics line
    out = tmp_path / "openapi.json"
    assert main(["openapi", "--out", str(out)]) == 0
    assert champion.version in capsys.readouterr().out
    written = json.loads(out.read_text())
    assert written == served
    assert written["info"]["version"] == champion.version

    assert main(["openapi", "--version", champion.version or ""]) == 0
    assert json.loads(capsys.readouterr().out) == written


def test_the_cli_says_in_one_line_what_it_cannot_document(registry, capsys, monkeypatch):
    monkeypatch.setenv("SKLAMBDA_BUCKET", registry.bucket)
    monkeypatch.setenv("SKLAMBDA_MODEL_NAME", registry.model_name)
    assert main(["openapi"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no champion" in err
    assert main(["openapi", "--version", "no-such-version"]) == 1
    assert "no version 'no-such-version'" in capsys.readouterr().err


@pytest.mark.parametrize("with_champion", [True, False])
def test_swagger_is_a_self_contained_page_of_the_document(
    invoke_predict, registry, bundle_dir, lambda_context, with_champion
):
    from predict_handler.handlers.api import lambda_handler

    if with_champion:
        from sklambda.registry.bundle import publish_bundle

        manifest = publish_bundle(registry, bundle_dir)
        registry.promote(manifest.version or "")
    response = lambda_handler(load_event("get_swagger"), lambda_context)  # HTML, not JSON
    assert response["statusCode"] == 200
    assert response["multiValueHeaders"]["Content-Type"][0].startswith("text/html")
    page = response["body"]
    assert page.lstrip().startswith("<!DOCTYPE html>")
    # No script, style or document is fetched from elsewhere: all of it is inline.
    assert "<script src=" not in page
    assert "<link " not in page
    assert "SwaggerUIBundle" in page
    document = _served_document(invoke_predict)
    assert json.dumps(document).replace("</", "<\\/") in page
    assert "/swagger" not in document["paths"]


def test_the_swagger_route_is_behind_the_same_api_auth(stack):
    events = stack.template["Resources"]["PredictFunction"]["Properties"]["Events"]
    assert events["Swagger"]["Properties"] == {
        "RestApiId": {"Ref": "PredictApi"},
        "Path": "/swagger",
        "Method": "get",
    }
