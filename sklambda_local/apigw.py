"""API Gateway REST (v1) proxy events, shaped as API Gateway sends them to Lambda."""

import time
import uuid
from typing import Any


def proxy_event(
    method: str,
    path: str,
    body: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    stage: str = "dev",
    source_ip: str = "127.0.0.1",
    request_id: str | None = None,
    is_base64_encoded: bool = False,
) -> dict[str, Any]:
    headers = (
        {"Content-Type": "application/json", **(headers or {})} if body else dict(headers or {})
    )
    request_id = request_id or str(uuid.uuid4())
    now = time.time()
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {key: [value] for key, value in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "resourcePath": path,
            "httpMethod": method,
            "path": f"/{stage}{path}",
            "stage": stage,
            "protocol": "HTTP/1.1",
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "requestTimeEpoch": int(now * 1000),
            "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent", "")},
        },
        "body": body,
        "isBase64Encoded": is_base64_encoded,
    }
