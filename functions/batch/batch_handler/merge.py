"""Assemble a large file's outputs from its chunks' parts, in chunk order.

Parts of 5 MiB or more are copied server-side (UploadPartCopy); smaller ones, and whatever
follows a small one, are streamed through a bounded buffer, since S3 refuses small parts.
"""

import json
from collections.abc import Iterator

from batch_handler.adapters.s3io import MultipartWriter, ObjectStore
from batch_handler.models import ChunkSpec, ChunkSummary, RunPlan
from batch_handler.parsing import Rejected
from batch_handler.rendering import rejected_line
from sklambda.storage.keys import batch_part_key

MIN_COPY_PART = 5 * 1024 * 1024
_STREAM_BYTES = 1024 * 1024


def append_part(store: ObjectStore, writer: MultipartWriter, key: str, size: int) -> None:
    if size >= MIN_COPY_PART and (writer.buffered == 0 or writer.buffered >= MIN_COPY_PART):
        writer.flush_part()
        writer.copy_part_from(key)
    elif size:
        for block in store.stream(key, None, _STREAM_BYTES):
            writer.write_bytes(block)


def chunk_rejections(store: ObjectStore, run: str, index: int) -> Iterator[Rejected]:
    for block in store.stream(batch_part_key(run, "rejected.jsonl", index), None, _STREAM_BYTES):
        for line in block.decode().splitlines():
            row = json.loads(line)
            yield Rejected(row["line"], row["reason"], row["record"])


def count_lines(store: ObjectStore, plan: RunPlan, chunk: ChunkSpec) -> int:
    """Lines of a chunk that has no summary, so the line numbers after it stay right."""
    pieces = store.stream(
        plan.source.key, plan.source.version_id, _STREAM_BYTES, (chunk.start, chunk.end)
    )
    return sum(block.count(b"\n") for block in pieces)


def write_rejected(
    store: ObjectStore,
    writer: MultipartWriter,
    plan: RunPlan,
    summaries: list[ChunkSummary | None],
    chunks: list[ChunkSpec],
) -> None:
    first_line = 2 if plan.header_line is not None else 1
    for summary, chunk in zip(summaries, chunks, strict=True):
        if summary is not None and summary.rows_rejected:
            writer.write_lines(
                rejected_line(plan.format, row, first_line + row.line)
                for row in chunk_rejections(store, plan.run_id, chunk.index)
            )
        first_line += summary.lines if summary is not None else count_lines(store, plan, chunk)


def write_scored(
    store: ObjectStore, writer: MultipartWriter, run: str, summaries: list[ChunkSummary | None]
) -> None:
    for summary in summaries:
        if summary is not None:
            append_part(
                store, writer, batch_part_key(run, "scored", summary.index), summary.scored_bytes
            )


def read_summaries(store: ObjectStore, run: str, count: int) -> list[ChunkSummary | None]:
    found = []
    for index in range(count):
        body = store.get_bytes(batch_part_key(run, "summary.json", index))
        found.append(ChunkSummary.model_validate_json(body) if body is not None else None)
    return found


def manifest_chunks(store: ObjectStore, manifest: str) -> list[ChunkSpec]:
    body = store.get_bytes(manifest)
    if body is None:
        raise FileNotFoundError(f"chunk manifest {manifest} is missing")
    return [ChunkSpec.model_validate(item) for item in json.loads(body)]
