"""The local API server of `make serve` answers every body, as API Gateway would."""

import http.client
import json
from urllib.parse import urlsplit

import pytest

from sklambda import aws
from sklambda_local.iam import enforcement_requested
from sklambda_local.local_api import serve_function
from tests.integration.conftest import load_event


def _post(url: str, path: str, body: bytes, content_type: str) -> tuple[int, dict]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(
            "POST", parts.path + path, body=body, headers={"Content-Type": content_type}
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_a_non_utf8_body_gets_a_400_and_the_connection_is_kept(
    invoke_predict, champion, lambda_context, stack
):
    from predict_handler.handlers.api import lambda_handler

    with serve_function(
        lambda_handler, stack=stack, function_name="PredictFunction", stage="dev"
    ) as url:
        status, body = _post(url, "/predict", b'{"instances": ["caf\xe9"]}', "application/json")
        assert status == 400
        assert "not UTF-8" in body["error"]["message"]
        status, body = _post(url, "/predict", b"x=1", "text/plain")
        assert status == 415
        good = load_event("predict_one_row")["body"].encode()
        status, body = _post(url, "/predict", good, "APPLICATION/JSON; charset=UTF-8")
        assert status == 200, body


@pytest.mark.skipif(not enforcement_requested(), reason="SKLAMBDA_ENFORCE_IAM=0")
def test_each_request_is_served_as_the_functions_role(invoke_predict, champion, stack):
    from predict_handler.handlers.api import lambda_handler

    callers: list[str] = []

    def handler(event, context):
        callers.append(aws.client("sts").get_caller_identity()["Arn"])
        return lambda_handler(event, context)

    good = load_event("predict_one_row")["body"].encode()
    with serve_function(handler, stack=stack, function_name="PredictFunction", stage="dev") as url:
        status, body = _post(url, "/predict", good, "application/json")
    assert status == 200, body
    (caller,) = callers
    assert ":assumed-role/PredictFunction-" in caller
