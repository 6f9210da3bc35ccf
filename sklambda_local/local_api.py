"""Serves PredictFunction over HTTP on localhost, building a real API Gateway proxy event per
request and invoking the handler in-process, as API Gateway plus Lambda would."""

import base64
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sklambda_local.api_metrics import ResponseListener
from sklambda_local.apigw import proxy_event
from sklambda_local.function_logs import invoke_capturing_output
from sklambda_local.iam import running_as
from sklambda_local.template import LocalStack

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass
class LocalContext:
    """The parts of the Lambda context Powertools reads."""

    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:local"
    timeout_ms: int = 900_000

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_ms


def _event_body(raw: bytes) -> tuple[str | None, bool]:
    """Text as it came; bytes that are not UTF-8 base64-encoded, as API Gateway passes binary."""
    if not raw:
        return None, False
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii"), True


def _request_handler(
    handler: Handler,
    stack: LocalStack,
    function_name: str,
    stage: str,
    on_response: ResponseListener | None,
) -> type[BaseHTTPRequestHandler]:
    class ProxyRequestHandler(BaseHTTPRequestHandler):
        def _invoke(self) -> None:
            started = time.perf_counter()
            length = int(self.headers.get("Content-Length") or 0)
            body, encoded = _event_body(self.rfile.read(length) if length else b"")
            path = self.path.split("?", 1)[0]
            prefix = f"/{stage}"
            if path.startswith(prefix + "/"):
                path = path[len(prefix) :]
            event = proxy_event(
                self.command,
                path,
                body,
                headers=dict(self.headers.items()),
                stage=stage,
                source_ip=self.client_address[0],
                is_base64_encoded=encoded,
            )
            context = LocalContext(function_name, str(uuid.uuid4()))
            try:
                # Each request is served on its own thread: it signs as the function's role
                # (when IAM is enforced), as Lambda's environment would.
                with running_as(stack, function_name):
                    result = invoke_capturing_output(function_name, handler, event, context)
            except Exception as error:  # a crashed invocation is a 502, as API Gateway answers
                message = {"message": f"Internal server error ({type(error).__name__})"}
                result = {"statusCode": 502, "body": json.dumps(message)}
            payload = (result.get("body") or "").encode()
            self.send_response(int(result.get("statusCode", 502)))
            headers = {
                key: values[-1] for key, values in (result.get("multiValueHeaders") or {}).items()
            }
            headers.update(result.get("headers") or {})
            for key, value in headers.items():
                self.send_header(key, str(value))
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            if on_response is not None:
                on_response(
                    int(result.get("statusCode", 502)), (time.perf_counter() - started) * 1e3
                )

        do_GET = do_POST = _invoke

        def log_message(self, format: str, *args: Any) -> None:  # noqa: ARG002 - silenced
            return

    return ProxyRequestHandler


@contextmanager
def serve_function(
    handler: Handler,
    *,
    stack: LocalStack,
    function_name: str,
    stage: str,
    host: str = "127.0.0.1",
    port: int = 0,
    on_response: ResponseListener | None = None,
) -> Iterator[str]:
    """Serve ``function_name`` (a template logical id) until the block ends; ``on_response``
    hears each answer as API Gateway's metrics."""
    server = ThreadingHTTPServer(
        (host, port), _request_handler(handler, stack, function_name, stage, on_response)
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/{stage}"
    finally:
        server.shutdown()
        server.server_close()


def post_json(url: str, payload: Any) -> tuple[int, Any]:
    """A plain client for the demo; the CLI's `sklambda predict --no-auth` does the same."""
    import urllib.error
    import urllib.request

    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback URL built by the demo
        url, data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
