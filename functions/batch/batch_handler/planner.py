"""Split a large file into newline-aligned byte ranges, one per Distributed Map item."""

from itertools import pairwise

from batch_handler.adapters.s3io import ObjectStore
from batch_handler.errors import UnreadableFileError
from batch_handler.models import ChunkSpec, ObjectRef

_WINDOW = 64 * 1024


def next_line_start(store: ObjectStore, ref: ObjectRef, offset: int) -> int:
    """The first byte after the first newline at or after ``offset`` (the file size if none)."""
    while offset < ref.size:
        window = store.read_range(ref.key, ref.version_id, offset, _WINDOW)
        if not window:
            break
        cut = window.find(b"\n")
        if cut >= 0:
            return offset + cut + 1
        offset += len(window)
    return ref.size


def read_header(store: ObjectStore, ref: ObjectRef) -> tuple[str, int]:
    """The first line as text, and the offset where data starts."""
    end = next_line_start(store, ref, 0)
    raw = store.read_range(ref.key, ref.version_id, 0, end) if end else b""
    try:
        header = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as error:
        raise UnreadableFileError(f"{ref.key} is not UTF-8 text: {error}") from error
    if not header.strip():
        raise UnreadableFileError(f"{ref.key} has no header line")
    return header, end


def plan_chunks(
    store: ObjectStore, ref: ObjectRef, data_start: int, chunk_bytes: int
) -> list[ChunkSpec]:
    boundaries = [data_start]
    target = data_start + chunk_bytes
    while target < ref.size:
        # Reading from target - 1 keeps a line that starts exactly at target whole.
        boundary = next_line_start(store, ref, target - 1)
        if boundary >= ref.size:
            break
        boundaries.append(boundary)
        target = boundary + chunk_bytes
    boundaries.append(ref.size)
    return [
        ChunkSpec(index=index, start=start, end=end)
        for index, (start, end) in enumerate(pairwise(boundaries))
    ]
