"""Calls the prediction API, signing with SigV4 (IAM mode) or sending an API key."""

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlparse

from sklambda.errors import SklambdaError


class ApiCallError(SklambdaError):
    pass


def _sigv4_headers(url: str, body: bytes) -> dict[str, str]:
    import boto3
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    session = boto3.session.Session()
    credentials = session.get_credentials()
    if credentials is None:
        raise ApiCallError("IAM auth needs AWS credentials; configure them or pass --api-key")
    host = urlparse(url).hostname or ""
    region = session.region_name or (host.split(".")[2] if host.count(".") >= 3 else "us-east-1")
    request = AWSRequest(
        method="POST", url=url, data=body, headers={"Content-Type": "application/json"}
    )
    SigV4Auth(credentials, "execute-api", region).add_auth(request)
    return dict(request.headers.items())


def call_api(
    url: str, payload: Any, *, api_key: str | None, sign: bool, timeout: float = 30
) -> tuple[int, Any]:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["x-api-key"] = api_key
    elif sign:
        headers = _sigv4_headers(url, body)
    if urlparse(url).scheme not in {"http", "https"}:
        raise ApiCallError(f"{url} is not an http(s) URL")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, {"error": {"message": raw.decode(errors="replace")}}
    except urllib.error.URLError as error:
        raise ApiCallError(f"cannot reach {url}: {error.reason}") from error
