"""PredictFunction as a WSGI app: each request becomes the API Gateway proxy event it would be,
so schemathesis drives the real handler in-process, as API Gateway plus Lambda would."""

import base64
from collections.abc import Callable, Iterable
from typing import Any

from sklambda_local.apigw import proxy_event
from tests.integration.conftest import FakeLambdaContext

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
Observer = Callable[[dict[str, Any], dict[str, Any]], None]


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").title(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
        if environ.get(key):
            headers[name] = str(environ[key])
    return headers


def wsgi_app(handler: Handler, observe: Observer) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            body, encoded = (raw.decode("utf-8"), False) if raw else (None, False)
        except UnicodeDecodeError:
            body, encoded = base64.b64encode(raw).decode("ascii"), True
        headers = _headers(environ)
        event = proxy_event(
            environ["REQUEST_METHOD"],
            environ.get("PATH_INFO") or "/",
            body,
            headers=headers,
            is_base64_encoded=encoded,
        )
        if "Content-Type" not in headers:  # proxy_event's default is not what was sent
            event["headers"].pop("Content-Type", None)
            event["multiValueHeaders"].pop("Content-Type", None)
        result = handler(event, FakeLambdaContext())
        observe(event, result)
        response_headers = {
            key: values[-1] for key, values in (result.get("multiValueHeaders") or {}).items()
        }
        response_headers.update(result.get("headers") or {})
        payload = (result.get("body") or "").encode()
        status = int(result["statusCode"])
        start_response(f"{status} X", [*response_headers.items()])
        return [payload]

    return app
