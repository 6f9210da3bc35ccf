"""S3 adapter: stream an object as chunks of whole lines; write outputs that appear only whole."""

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Self

from batch_handler.formats import Undecodable
from sklambda.storage.objects import S3Objects

# S3 refuses multipart parts under 5 MiB (except the last); 8 MiB keeps memory low and parts few.
PART_BYTES = 8 * 1024 * 1024
_READ_BYTES = 1024 * 1024


Lines = list[str]


def decode_lines(block: bytes) -> Lines:
    """Split whole lines on LF or CRLF; a line that is not UTF-8 becomes Undecodable, so it can
    be rejected alone."""
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        lines: Lines = []
        for raw in block.split(b"\n"):
            line = raw.removesuffix(b"\r")
            try:
                lines.append(line.decode("utf-8"))
            except UnicodeDecodeError:
                lines.append(Undecodable(line.decode("latin-1")))
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


class ObjectStore(S3Objects):
    """The bucket's objects, plus what scoring needs: streaming in line blocks, byte ranges
    and multipart outputs."""

    def stream(
        self,
        key: str,
        version_id: str | None,
        chunk_bytes: int,
        byte_range: tuple[int, int] | None = None,
    ) -> Iterator[bytes]:
        """Blocks of whole lines; with byte_range, only bytes start..end-1 of that version."""
        if byte_range is not None and byte_range[1] <= byte_range[0]:
            return
        body = self.body(key, version_id=version_id, byte_range=byte_range)
        try:
            yield from line_blocks(body.iter_chunks(_READ_BYTES), chunk_bytes)
        finally:
            body.close()

    def read_range(self, key: str, version_id: str | None, start: int, length: int) -> bytes:
        body = self.body(key, version_id=version_id, byte_range=(start, start + length))
        return bytes(body.read())

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
        response = self._upload_part(
            self._s3.upload_part_copy, CopySource={"Bucket": self._bucket, "Key": key}
        )
        self._parts[-1]["ETag"] = response["CopyPartResult"]["ETag"]

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

    def _upload_part(self, upload: Callable[..., Any], **content: Any) -> Any:
        """Send the next part; its ETag is filled in by the caller from the response."""
        upload_id = self._start()
        number = len(self._parts) + 1
        response = upload(
            Bucket=self._bucket, Key=self.key, UploadId=upload_id, PartNumber=number, **content
        )
        self._parts.append({"PartNumber": number})
        return response

    def _flush(self) -> None:
        response = self._upload_part(self._s3.upload_part, Body=bytes(self._buffer))
        self._parts[-1]["ETag"] = response["ETag"]
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
