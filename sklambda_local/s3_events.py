"""Events shaped exactly as EventBridge delivers them, for the demo and the tests."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sklambda_local.template import LOCAL_ACCOUNT, LOCAL_REGION


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
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": LOCAL_ACCOUNT,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": LOCAL_REGION,
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": detail_object,
            "request-id": uuid.uuid4().hex[:16].upper(),
            "requester": LOCAL_ACCOUNT,
            "source-ip-address": "127.0.0.1",
            "reason": "PutObject",
        },
    }


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
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": LOCAL_ACCOUNT,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": LOCAL_REGION,
        "resources": [rule_arn],
        "detail": {},
    }
