"""Objects of one bucket: reads that say "absent" instead of raising, writes that can be
create-only (If-None-Match) or replace-only (If-Match on the ETag read), and typed listings."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from botocore.exceptions import ClientError
from pydantic import BaseModel

from sklambda.errors import SdkTooOldError
from sklambda.storage.errors import PreconditionFailed, is_missing, lost_race


@dataclass(frozen=True)
class StoredObject:
    body: bytes
    etag: str


@dataclass(frozen=True)
class ListedObject:
    key: str
    size: int
    last_modified: datetime
    etag: str = ""


@dataclass(frozen=True)
class ObjectVersion:
    """The latest version of a key; version_id is None in a bucket without versioning."""

    key: str
    version_id: str | None
    size: int
    etag: str


def require_conditional_writes(s3: Any) -> None:
    """The layer leaves botocore to the Lambda runtime (docs/build.md); an old one would drop
    IfMatch/IfNoneMatch with a bare parameter error, so say what is wrong instead."""
    members = s3.meta.service_model.operation_model("PutObject").input_shape.members
    if not {"IfMatch", "IfNoneMatch"} <= set(members):
        import botocore

        raise SdkTooOldError(
            f"botocore {botocore.__version__} cannot make conditional S3 writes; the registry "
            "needs botocore 1.35.x from late 2024 or newer (see docs/build.md)"
        )


class S3Objects:
    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def get(self, key: str) -> StoredObject | None:
        try:
            response = self.s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if is_missing(error):
                return None
            raise
        return StoredObject(bytes(response["Body"].read()), str(response["ETag"]))

    def get_bytes(self, key: str) -> bytes | None:
        stored = self.get(key)
        return stored.body if stored is not None else None

    def body(
        self,
        key: str,
        *,
        version_id: str | None = None,
        byte_range: tuple[int, int] | None = None,
    ) -> Any:
        """The object's streaming body (close it when done); with byte_range only bytes
        start..end-1, with version_id that version."""
        request: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if version_id:
            request["VersionId"] = version_id
        if byte_range is not None:
            request["Range"] = f"bytes={byte_range[0]}-{byte_range[1] - 1}"
        return self.s3.get_object(**request)["Body"]

    def read_bytes(self, key: str) -> bytes:
        """The object's bytes; a missing object raises (the caller expected it to exist)."""
        return bytes(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read())

    def put(
        self,
        key: str,
        body: bytes | IO[bytes],
        *,
        content_type: str | None = None,
        if_none_match: bool = False,
        if_match: str | None = None,
    ) -> str:
        """Write the object and return its new ETag. With ``if_none_match`` only a new key is
        written, with ``if_match`` only the version read; a lost race raises PreconditionFailed."""
        request: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "Body": body}
        if content_type is not None:
            request["ContentType"] = content_type
        if if_none_match:
            request["IfNoneMatch"] = "*"
        if if_match is not None:
            request["IfMatch"] = if_match
        try:
            response = self.s3.put_object(**request)
        except ClientError as error:
            if lost_race(error):
                raise PreconditionFailed(key) from error
            raise
        return str(response.get("ETag", ""))

    def get_json[M: BaseModel](self, key: str, model: type[M]) -> tuple[M, str] | None:
        """The object parsed as ``model`` with its ETag, or None when it does not exist."""
        stored = self.get(key)
        if stored is None:
            return None
        return model.model_validate_json(stored.body), stored.etag

    def put_json(
        self,
        key: str,
        value: BaseModel,
        *,
        if_none_match: bool = False,
        if_match: str | None = None,
    ) -> str:
        return self.put(
            key,
            value.model_dump_json(indent=2).encode(),
            content_type="application/json",
            if_none_match=if_none_match,
            if_match=if_match,
        )

    def delete(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=key)

    def size(self, key: str) -> int:
        return int(self.s3.head_object(Bucket=self.bucket, Key=key)["ContentLength"])

    def list(self, prefix: str) -> Iterator[ListedObject]:
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield ListedObject(
                    key=item["Key"],
                    size=int(item.get("Size", 0)),
                    last_modified=item["LastModified"],
                    etag=str(item.get("ETag", "")).strip('"'),
                )

    def latest_versions(self, prefix: str) -> Iterator[ObjectVersion]:
        """The current version of every object under prefix (folders left out)."""
        paginator = self.s3.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for version in page.get("Versions", []):
                if version.get("IsLatest") and not version["Key"].endswith("/"):
                    version_id = version.get("VersionId")
                    yield ObjectVersion(
                        key=version["Key"],
                        version_id=None if version_id in {None, "null"} else version_id,
                        size=int(version["Size"]),
                        etag=str(version.get("ETag", "")).strip('"'),
                    )
