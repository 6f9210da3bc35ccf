"""Events shaped exactly as EventBridge delivers them, for the demo and the tests."""

import uuid
from typing import Any

from sklambda_local.eventbridge import envelope
from sklambda_local.template import LOCAL_ACCOUNT


def object_created(
    bucket: str, key: str, *, size: int, etag: str, version_id: str | None, sequencer: str = "0"
) -> dict[str, Any]:
    """S3's "Object Created" event on the default event bus (EventBridge notifications)."""
    detail_object: dict[str, Any] = {
        "key": key,
        "size": size,
        "etag": etag.strip('"'),
        "sequencer": sequencer,
    }
    if version_id and version_id != "null":
        detail_object["version-id"] = version_id
    return envelope(
        "Object Created",
        "aws.s3",
        [f"arn:aws:s3:::{bucket}"],
        {
            "version": "0",
            "bucket": {"name": bucket},
            "object": detail_object,
            "request-id": uuid.uuid4().hex[:16].upper(),
            "requester": LOCAL_ACCOUNT,
            "source-ip-address": "127.0.0.1",
            "reason": "PutObject",
        },
    )


def after_put(s3: Any, bucket: str, key: str, sequencer: str = "0") -> dict[str, Any]:
    """The event S3 would send for the object version that is now the latest."""
    head = s3.head_object(Bucket=bucket, Key=key)
    return object_created(
        bucket,
        key,
        size=int(head["ContentLength"]),
        etag=head["ETag"],
        version_id=head.get("VersionId"),
        sequencer=sequencer,
    )


def scheduled(rule_arn: str) -> dict[str, Any]:
    return envelope("Scheduled Event", "aws.events", [rule_arn], {})
