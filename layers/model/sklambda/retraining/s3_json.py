"""Small JSON objects in S3 with conditional writes: the loop's lock, watch and run records."""

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel

PRECONDITION_CODES = frozenset({"PreconditionFailed", "412", "ConditionalRequestConflict"})
MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


class PreconditionFailed(Exception):
    """Someone else wrote the object first; the caller re-reads and decides again."""


@dataclass(frozen=True)
class StoredObject:
    body: bytes
    etag: str


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def read(s3: Any, bucket: str, key: str) -> StoredObject | None:
    try:
        response = s3.get_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error_code(error) in MISSING_CODES:
            return None
        raise
    return StoredObject(response["Body"].read(), response["ETag"])


def write(
    s3: Any,
    bucket: str,
    key: str,
    model: BaseModel,
    *,
    if_none_match: bool = False,
    if_match: str | None = None,
) -> str:
    """Write the model as JSON; returns the new ETag, raises PreconditionFailed on a lost race."""
    condition: dict[str, str] = {}
    if if_none_match:
        condition["IfNoneMatch"] = "*"
    if if_match is not None:
        condition["IfMatch"] = if_match
    try:
        response = s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=model.model_dump_json(indent=2).encode(),
            ContentType="application/json",
            **condition,
        )
    except ClientError as error:
        if error_code(error) in PRECONDITION_CODES:
            raise PreconditionFailed(key) from error
        raise
    return str(response["ETag"])
