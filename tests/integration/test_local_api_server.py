"""The local API server of `make serve` answers every body, as API Gateway would."""

import http.client
import json
from urllib.parse import urlsplit

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
    invoke_predict, champion, lambda_context
):
    from predict_handler.handlers.api import lambda_handler

    with serve_function(lambda_handler, function_name="PredictFunction", stage="dev") as url:
        status, body = _post(url, "/predict", b'{"instances": ["caf\xe9"]}', "application/json")
        assert status == 400
        assert "not UTF-8" in body["error"]["message"]
        status, body = _post(url, "/predict", b"x=1", "text/plain")
        assert status == 415
        good = load_event("predict_one_row")["body"].encode()
        status, body = _post(url, "/predict", good, "APPLICATION/JSON; charset=UTF-8")
        assert status == 200, body
