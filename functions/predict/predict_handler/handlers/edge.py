"""The event as API Gateway hands it over, checked before the resolver reads it.

The resolver assumes a REST (payload 1.0) proxy event whose body is UTF-8 JSON under a
``Content-Type`` it matches case-sensitively. Here every other event becomes a 4xx answer:
another event shape (400), a body that is not UTF-8 (400), a media type that is not JSON (415).
JSON media types are matched case-insensitively, with parameters, and include the structured
``+json`` suffix (RFC 6839, e.g. ``application/vnd.api+json``); the only charset is UTF-8.
"""

import base64
import binascii
import json
from typing import Any

from sklambda.api.models import error_document

JSON_MEDIA_TYPE = "application/json"
_UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii"})
_CONTENT_TYPE = "content-type"


class EdgeRefusal(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def is_json_media_type(header: str) -> bool:
    """``application/json`` or ``application/<anything>+json``, any case, charset UTF-8 only."""
    media_type, *parameters = header.split(";")
    media_type = media_type.strip().lower()
    if media_type != JSON_MEDIA_TYPE and not (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        return False
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            _UTF8_NAMES
        ):
            return False
    return True


def _kind_of(event: Any) -> str | None:
    """Why the event is not a REST proxy event, or None when it is one."""
    if not isinstance(event, dict):
        return f"a {type(event).__name__}"
    if event.get("version") == "2.0" or "routeKey" in event or "rawPath" in event:
        return "an HTTP API (payload format 2.0) event"
    if not isinstance(event.get("httpMethod"), str) or not isinstance(event.get("path"), str):
        return "an event without httpMethod and path"
    if not isinstance(event.get("requestContext"), dict):
        return "an event without requestContext"
    headers, multi = event.get("headers"), event.get("multiValueHeaders")
    if headers is not None and not (
        isinstance(headers, dict)
        and all(isinstance(key, str) and isinstance(value, str) for key, value in headers.items())
    ):
        return "an event whose headers are not text"
    if multi is not None and not (
        isinstance(multi, dict)
        and all(
            isinstance(key, str)
            and isinstance(values, list)
            and all(isinstance(value, str) for value in values)
            for key, values in multi.items()
        )
    ):
        return "an event whose multiValueHeaders are not lists of text"
    if event.get("body") is not None and not isinstance(event["body"], str):
        return "an event whose body is not a string"
    return None


def _text_body(event: dict[str, Any]) -> str | None:
    body: str | None = event.get("body")
    if not body or not event.get("isBase64Encoded"):
        return body
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise EdgeRefusal(400, "the body is marked base64-encoded but is not base64") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise EdgeRefusal(
            400, f"the body is not UTF-8 text (byte {error.start}); send UTF-8 encoded JSON"
        ) from None


def prepare(event: Any, request_id: str) -> dict[str, Any]:
    """A REST proxy event with a UTF-8 text body and a canonical JSON Content-Type.

    Raises EdgeRefusal with the status and message the caller should get.
    """
    kind = _kind_of(event)
    if kind is not None:
        raise EdgeRefusal(
            400,
            f"this function serves an API Gateway REST API (proxy payload 1.0); it got {kind}",
        )
    body = _text_body(event)
    headers = {
        key: value
        for key, value in (event.get("headers") or {}).items()
        if key.lower() != _CONTENT_TYPE
    }
    multi = {
        key: values
        for key, values in (event.get("multiValueHeaders") or {}).items()
        if key.lower() != _CONTENT_TYPE
    }
    content_type = _content_type(event)
    if body and not body.isspace():
        if content_type is not None and not is_json_media_type(content_type):
            raise EdgeRefusal(
                415,
                f"unsupported Content-Type {content_type[:100]!r}: send the body as "
                "application/json (UTF-8)",
            )
        content_type = JSON_MEDIA_TYPE
    if content_type is not None:
        headers["Content-Type"] = content_type
        multi["Content-Type"] = [content_type]
    context = dict(event["requestContext"])
    if not isinstance(context.get("requestId"), str):
        context["requestId"] = request_id
    return {
        **event,
        "headers": headers,
        "multiValueHeaders": multi,
        "body": body,
        "isBase64Encoded": False,
        "requestContext": context,
    }


def _content_type(event: dict[str, Any]) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == _CONTENT_TYPE:
            return str(value)
    for key, values in (event.get("multiValueHeaders") or {}).items():
        if key.lower() == _CONTENT_TYPE and values:
            return str(values[-1])
    return None


def refusal_response(refusal: EdgeRefusal, request_id: str) -> dict[str, Any]:
    """The same JSON error shape the resolver's error handlers return."""
    body = error_document(refusal.status, refusal.message, request_id)
    return {
        "statusCode": refusal.status,
        "headers": {"Content-Type": JSON_MEDIA_TYPE},
        "multiValueHeaders": {"Content-Type": [JSON_MEDIA_TYPE]},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }
