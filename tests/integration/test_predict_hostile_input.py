"""Hostile and unusual requests: every one gets a 4xx JSON answer that says what to change."""

import base64
import json

import pytest

from tests.integration.conftest import load_event


def _with_body(body: str, content_type: str | None = "application/json") -> dict:
    event = load_event("predict_one_row")
    for key in [key for key in event["headers"] if key.lower() == "content-type"]:
        del event["headers"][key]
    event["multiValueHeaders"] = {key: [value] for key, value in event["headers"].items()}
    if content_type is not None:
        event["headers"]["Content-Type"] = content_type
        event["multiValueHeaders"]["Content-Type"] = [content_type]
    event["body"] = body
    return event


def _one_row_body(champion) -> dict:
    return json.loads(load_event("predict_one_row")["body"])


def _assert_error(response: dict, status: int, *fragments: str) -> dict:
    assert response["statusCode"] == status, response["body"]
    body = response["json"]
    assert body["error"]["status"] == status
    assert isinstance(body["request_id"], str)
    for fragment in fragments:
        assert fragment in body["error"]["message"]
    return body


@pytest.mark.parametrize(
    "content_type",
    [
        "APPLICATION/JSON",
        "application/json; charset=utf-8",
        "Application/Json;Charset=UTF-8",
        "application/vnd.api+json",
        "application/json; version=2",
        None,
    ],
)
def test_json_media_types_match_case_insensitively_with_parameters(
    invoke_predict, champion, content_type
):
    event = _with_body(load_event("predict_one_row")["body"], content_type)
    assert invoke_predict(event)["statusCode"] == 200


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
        "application/jsonx",
        "",
    ],
)
def test_other_media_types_are_a_415(invoke_predict, champion, content_type):
    event = _with_body(load_event("predict_one_row")["body"], content_type)
    _assert_error(invoke_predict(event), 415, "application/json")


def test_5000_nested_arrays_are_a_400(invoke_predict, champion):
    body = "[" * 5000 + "]" * 5000
    _assert_error(invoke_predict(_with_body(body)), 400, "nested deeper than")


def test_a_deeply_nested_feature_value_is_a_400_not_a_crash(invoke_predict, champion):
    body = json.dumps({"instances": [{"mean radius": 0}]}).replace("0", "[" * 900 + "]" * 900)
    _assert_error(invoke_predict(_with_body(body)), 400, "nested deeper than")


@pytest.mark.parametrize("digits", [401, 5000])
def test_huge_integers_are_a_422_naming_row_and_feature(invoke_predict, champion, digits):
    row = _one_row_body(champion)["instances"][0]
    text = json.dumps({"instances": [row, {**row, "mean area": 123456789}]})
    text = text.replace("123456789", "7" * digits)
    body = _assert_error(invoke_predict(_with_body(text)), 422, "row 1, feature 'mean area'")
    assert "beyond the range of a 64-bit float" in body["error"]["message"]
    assert body["error"]["problems"][0]["row"] == 1
    assert body["error"]["problems"][0]["feature"] == "mean area"


def test_a_huge_integer_in_an_array_row_is_a_422(invoke_predict, champion):
    width = len(champion.feature_schema.names)
    text = "{" + '"instances": [[' + ",".join(["1"] * (width - 1) + ["9" * 401]) + "]]}"
    body = _assert_error(invoke_predict(_with_body(text)), 422, "row 0")
    assert body["error"]["problems"][0]["feature"] == champion.feature_schema.names[-1]


def test_a_non_utf8_base64_body_is_a_400(invoke_predict, champion):
    event = _with_body(base64.b64encode(b'{"instances": ["caf\xe9"]}').decode())
    event["isBase64Encoded"] = True
    _assert_error(invoke_predict(event), 400, "not UTF-8")


def test_a_body_marked_base64_that_is_not_base64_is_a_400(invoke_predict, champion):
    event = _with_body("this is not base64!")
    event["isBase64Encoded"] = True
    _assert_error(invoke_predict(event), 400, "not base64")


def test_a_utf8_base64_body_is_decoded_and_predicted(invoke_predict, champion):
    event = _with_body(base64.b64encode(load_event("predict_one_row")["body"].encode()).decode())
    event["isBase64Encoded"] = True
    assert invoke_predict(event)["statusCode"] == 200


def test_non_numbers_are_named_without_echoing_whole_containers(invoke_predict, champion):
    row = _one_row_body(champion)["instances"][0]
    text = json.dumps({"instances": [{**row, "mean area": [list(range(10_000))]}]})
    body = _assert_error(invoke_predict(_with_body(text)), 422, "expected a number, got array")
    assert len(response_text := json.dumps(body)) < 2_000, response_text


def test_an_http_api_v2_event_gets_a_clear_400(invoke_predict, champion):
    event = {
        "version": "2.0",
        "routeKey": "POST /predict",
        "rawPath": "/predict",
        "headers": {"content-type": "application/json"},
        "requestContext": {"http": {"method": "POST", "path": "/predict"}, "requestId": "r-2"},
        "body": load_event("predict_one_row")["body"],
        "isBase64Encoded": False,
    }
    body = _assert_error(invoke_predict(event), 400, "payload format 2.0")
    assert body["request_id"] == "r-2"


@pytest.mark.parametrize("event", [[], "text", {"path": "/predict"}, {"httpMethod": "GET"}])
def test_events_that_are_not_proxy_events_get_a_400(invoke_predict, champion, event):
    _assert_error(invoke_predict(event), 400, "REST API")


def test_an_event_without_headers_is_still_served(invoke_predict, champion):
    event = load_event("get_health")
    event["headers"] = None
    event["multiValueHeaders"] = None
    assert invoke_predict(event)["statusCode"] == 200
