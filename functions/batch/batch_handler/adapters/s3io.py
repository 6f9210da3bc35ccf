"""S3 adapter: stream an object as chunks of whole lines; write outputs that appear only whole."""

from collections.abc import Iterable, Iterator
from typing import Any, Self

from botocore.exceptions import ClientError

# S3 refuses multipart parts under 5 MiB (except the last); 8 MiB keeps memory low and parts few.
PART_BYTES = 8 * 1024 * 1024
_READ_BYTES = 1024 * 1024

Lines = list[str | None]


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def is_missing(error: ClientError) -> bool:
    return error_code(error) in {"NoSuchKey", "404", "NotFound", "NoSuchVersion"}


def is_precondition_failure(error: ClientError) -> bool:
    return error_code(error) in {"PreconditionFailed", "412", "ConditionalRequestConflict"}


def decode_lines(block: bytes) -> Lines:
    """Split whole lines; a line that is not UTF-8 becomes None, so it can be rejected alone."""
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        lines: Lines = []
        for raw in block.split(b"\n"):
            try:
                lines.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                lines.append(None)
    else:
        if "\r" in text:
            text = text.replace("\r\n", "\n")
        lines = list(text.split("\n"))
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def line_blocks(pieces: Iterable[bytes], chunk_bytes: int) -> Iterator[bytes]:
    """Regroup arbitrary byte pieces into blocks of about chunk_bytes that end at a newline."""
    pending = bytearray()
    for piece in pieces:
        pending += piece
        while len(pending) >= chunk_bytes:
            cut = pending.rfind(b"\n", 0, chunk_bytes)
            if cut < 0:
                cut = pending.find(b"\n", chunk_bytes)  # one line longer than a block
            if cut < 0:
                break
            yield bytes(pending[: cut + 1])
            del pending[: cut + 1]
    if pending:
        yield bytes(pending if pending.endswith(b"\n") else pending + b"\n")


class ObjectStore:
    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    def stream(
        self,
        key: str,
        version_id: str | None,
        chunk_bytes: int,
        byte_range: tuple[int, int] | None = None,
    ) -> Iterator[bytes]:
        """Blocks of whole lines; with byte_range, only bytes start..end-1 of that version."""
        request: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if version_id:
            request["VersionId"] = version_id
        if byte_range is not None:
            start, end = byte_range
            if end <= start:
                return
            request["Range"] = f"bytes={start}-{end - 1}"
        body = self.s3.get_object(**request)["Body"]
        try:
            yield from line_blocks(body.iter_chunks(_READ_BYTES), chunk_bytes)
        finally:
            body.close()

    def read_range(self, key: str, version_id: str | None, start: int, length: int) -> bytes:
        request: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "Range": f"bytes={start}-{start + length - 1}",
        }
        if version_id:
            request["VersionId"] = version_id
        return bytes(self.s3.get_object(**request)["Body"].read())

    def get_bytes(self, key: str) -> bytes | None:
        try:
            return bytes(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read())
        except ClientError as error:
            if is_missing(error):
                return None
            raise

    def get_with_etag(self, key: str) -> tuple[bytes, str] | None:
        try:
            response = self.s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if is_missing(error):
                return None
            raise
        return bytes(response["Body"].read()), str(response["ETag"])

    def put(self, key: str, body: bytes, **conditions: str) -> bool:
        """False when a condition (IfNoneMatch / IfMatch) did not hold."""
        try:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, **conditions)
        except ClientError as error:
            if is_precondition_failure(error):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=key)

    def size(self, key: str) -> int:
        return int(self.s3.head_object(Bucket=self.bucket, Key=key)["ContentLength"])

    def latest_versions(self, prefix: str) -> Iterator[dict[str, Any]]:
        paginator = self.s3.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for version in page.get("Versions", []):
                if version.get("IsLatest") and not version["Key"].endswith("/"):
                    yield version

    def writer(self, key: str, content_type: str) -> "MultipartWriter":
        return MultipartWriter(self.s3, self.bucket, key, content_type)


class MultipartWriter:
    """Lines in, one object out: parts are uploaded as they fill; the object exists only after
    close() completes the upload, and an exception aborts it, so no half file ever shows."""

    def __init__(self, s3: Any, bucket: str, key: str, content_type: str) -> None:
        self._s3 = s3
        self._bucket = bucket
        self.key = key
        self._content_type = content_type
        self._buffer = bytearray()
        self._parts: list[dict[str, Any]] = []
        self._upload_id: str | None = None
        self.bytes_written = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is None:
            self.close()
        else:
            self.abort()

    def write_lines(self, lines: Iterable[str]) -> None:
        block = list(lines)
        if block:
            self._buffer += ("\n".join(block) + "\n").encode()
        if len(self._buffer) >= PART_BYTES:
            self._flush()

    def write_bytes(self, data: bytes) -> None:
        self._buffer += data
        if len(self._buffer) >= PART_BYTES:
            self._flush()

    def copy_part_from(self, key: str) -> None:
        """Append a whole object server-side; only valid while nothing is buffered."""
        if self._buffer:
            raise ValueError("copy_part_from needs an empty buffer")
        upload_id = self._start()
        number = len(self._parts) + 1
        response = self._s3.upload_part_copy(
            Bucket=self._bucket,
            Key=self.key,
            UploadId=upload_id,
            PartNumber=number,
            CopySource={"Bucket": self._bucket, "Key": key},
        )
        self._parts.append({"PartNumber": number, "ETag": response["CopyPartResult"]["ETag"]})

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def _start(self) -> str:
        if self._upload_id is None:
            self._upload_id = self._s3.create_multipart_upload(
                Bucket=self._bucket, Key=self.key, ContentType=self._content_type
            )["UploadId"]
        return self._upload_id

    def flush_part(self) -> None:
        """Upload what is buffered as a part now (S3 accepts it if it is 5 MiB or more)."""
        if self._buffer:
            self._flush()

    def _flush(self) -> None:
        upload_id = self._start()
        number = len(self._parts) + 1
        response = self._s3.upload_part(
            Bucket=self._bucket,
            Key=self.key,
            UploadId=upload_id,
            PartNumber=number,
            Body=bytes(self._buffer),
        )
        self._parts.append({"PartNumber": number, "ETag": response["ETag"]})
        self.bytes_written += len(self._buffer)
        self._buffer.clear()

    def close(self) -> None:
        if self._buffer or not self._parts:
            self._flush()
        self._s3.complete_multipart_upload(
            Bucket=self._bucket,
            Key=self.key,
            UploadId=self._upload_id,
            MultipartUpload={"Parts": self._parts},
        )

    def abort(self) -> None:
        if self._upload_id is not None:
            self._s3.abort_multipart_upload(
                Bucket=self._bucket, Key=self.key, UploadId=self._upload_id
            )
            self._upload_id = None
