"""The four kinds of work: score a whole file, hand a large one to the state machine, score
one of its chunks, and merge the chunks into the final outputs."""

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from typing import Any

import numpy as np

from batch_handler.adapters.executions import StateMachineStarter
from batch_handler.adapters.s3io import Lines, ObjectStore, decode_lines
from batch_handler.errors import UnreadableFileError
from batch_handler.formats import FileFormat, Layout, Undecodable, csv_layout, json_lines_layout
from batch_handler.merge import manifest_chunks, read_summaries, write_rejected, write_scored
from batch_handler.models import (
    ChunkSpec,
    ChunkSummary,
    ChunkTask,
    MergeTask,
    ObjectRef,
    RunError,
    RunPlan,
    RunSummary,
    UnseenCategories,
    add_unseen,
)
from batch_handler.parsing import Rejected
from batch_handler.pipeline import score_lines
from batch_handler.planner import plan_chunks, read_header
from batch_handler.rendering import ScoredRenderer, rejected_header, rejected_line
from sklambda.monitoring.capture import DataCapture
from sklambda.registry.loader import LoadedModel, ModelLoader
from sklambda.runtime import Scores
from sklambda.storage import keys

CONTENT_TYPES = {FileFormat.CSV: "text/csv", FileFormat.JSON_LINES: "application/x-ndjson"}


class ModelSource:
    """The champion for new runs; a pinned version for the chunks of a run already planned."""

    def __init__(self, loader: ModelLoader) -> None:
        self._loader = loader
        self._pinned: LoadedModel | None = None

    def champion(self) -> LoadedModel:
        return self._loader.current()

    def version(self, version: str) -> LoadedModel:
        for candidate in (self._loader.loaded, self._pinned):
            if candidate is not None and candidate.version == version:
                return candidate
        self._pinned = self._loader.load_version(version)
        return self._pinned


def layout_for(file_format: FileFormat, header_line: str | None, model: LoadedModel) -> Layout:
    schema = model.manifest.feature_schema
    if file_format is FileFormat.CSV:
        if header_line is None:
            raise UnreadableFileError("the file is empty: a CSV needs a header line")
        return csv_layout(header_line, schema)
    return json_lines_layout(schema)


def _split_header(blocks: Iterator[Lines]) -> tuple[str | None, Iterable[Lines]]:
    first = next(blocks, [])
    if not first:
        return None, blocks
    if isinstance(first[0], Undecodable):
        raise UnreadableFileError("the header line is not UTF-8 text")
    return first[0], chain([first[1:]], blocks)


@dataclass(frozen=True)
class RunSizing:
    """How much a run reads at a time and how a large file is split and fanned out."""

    read_chunk_bytes: int
    map_chunk_bytes: int
    max_concurrency: int
    tolerated_failure_percentage: float


@dataclass
class Runner:
    store: ObjectStore
    models: ModelSource
    executions: StateMachineStarter
    sizing: RunSizing
    capture: DataCapture

    def _capture(
        self, batch_id: str, model: LoadedModel
    ) -> Callable[[np.ndarray, Scores, int], None]:
        """Sampled rows go to the same capture stream as API traffic, named by file and row."""
        names = model.manifest.feature_schema.names

        def record(features: np.ndarray, scores: Scores, rows_before: int) -> None:
            self.capture.capture_rows(
                request_id=batch_id,
                model_name=model.manifest.model_name,
                model_version=model.version,
                features=names,
                matrix=features,
                scores=scores,
                first_row_id=rows_before,
            )

        return record

    def _blocks(self, ref: ObjectRef, byte_range: tuple[int, int] | None = None) -> Iterator[Lines]:
        pieces = self.store.stream(
            ref.key, ref.version_id, self.sizing.read_chunk_bytes, byte_range
        )
        if byte_range is None or byte_range[0] == 0:
            pieces = _without_byte_order_mark(pieces)
        return (decode_lines(block) for block in pieces)

    def score_file(self, ref: ObjectRef, started_at: datetime) -> RunSummary:
        file_format = FileFormat.of_key(ref.key)
        model = self.models.champion()
        started = time.perf_counter()
        blocks: Iterable[Lines] = self._blocks(ref)
        header_line = None
        if file_format is FileFormat.CSV:
            header_line, blocks = _split_header(iter(blocks))
        layout = layout_for(file_format, header_line, model)
        content_type = CONTENT_TYPES[file_format]
        scored_key, rejected_key = keys.scored_key(ref.key), keys.rejected_key(ref.key)
        with (
            self.store.writer(scored_key, content_type) as scored,
            self.store.writer(rejected_key, content_type) as rejected,
        ):
            header = ScoredRenderer(layout, model.predictor.classes, model.version).header()
            scored.write_lines([header] if header else [])
            rejected_title = rejected_header(file_format)
            rejected.write_lines([rejected_title] if rejected_title else [])
            tally = score_lines(
                blocks,
                layout,
                model,
                first_line=2 if header_line is not None else 1,
                write_scored=scored.write_lines,
                write_rejected=lambda rows: rejected.write_lines(
                    rejected_line(file_format, row) for row in rows
                ),
                capture=self._capture(f"{ref.key}#{ref.version_id}", model),
            )
        seconds = time.perf_counter() - started
        return RunSummary(
            status="succeeded",
            input=ref,
            format=file_format,
            mode="single",
            rows_read=tally.rows_read,
            rows_scored=tally.rows_scored,
            rows_rejected=tally.rows_rejected,
            blank_lines=tally.blank_lines,
            unseen_categories=tally.unseen_categories,
            model_name=model.manifest.model_name,
            model_version=model.version,
            outputs={"scored": scored_key, "rejected": rejected_key},
            started_at=started_at,
            duration_seconds=seconds,
            rows_per_second=tally.rows_read / seconds if seconds > 0 else 0.0,
        )

    def start_distributed(
        self, ref: ObjectRef, run: str, started_at: datetime, attempt: int = 1
    ) -> RunSummary:
        file_format = FileFormat.of_key(ref.key)
        model = self.models.champion()
        header_line, data_start = (
            read_header(self.store, ref) if file_format is FileFormat.CSV else (None, 0)
        )
        layout_for(file_format, header_line, model)  # a wrong header fails now, not in every chunk
        chunks = plan_chunks(self.store, ref, data_start, self.sizing.map_chunk_bytes)
        manifest = keys.batch_manifest_key(run)
        body = json.dumps([chunk.model_dump() for chunk in chunks]).encode()
        self.store.put(manifest, body)
        plan = RunPlan(
            run_id=run,
            source=ref,
            format=file_format,
            header_line=header_line,
            model_version=model.version,
            data_start=data_start,
            started_at=started_at,
            tolerated_failure_percentage=self.sizing.tolerated_failure_percentage,
            attempt=attempt,
        )
        # One execution name per attempt: a retry after a failed run is a new execution, and
        # only a twin start of this same attempt finds the name taken.
        execution = self.executions.start(
            keys.batch_execution_name(run, attempt),
            {
                "run": plan.model_dump(mode="json"),
                "manifest": {"bucket": self.store.bucket, "key": manifest},
                "chunk_count": len(chunks),
                "limits": {
                    "max_concurrency": self.sizing.max_concurrency,
                    "tolerated_failure_percentage": self.sizing.tolerated_failure_percentage,
                },
            },
        )
        return RunSummary(
            status="in_progress",
            input=ref,
            format=file_format,
            mode="distributed",
            model_name=model.manifest.model_name,
            model_version=model.version,
            started_at=started_at,
            chunks=len(chunks),
            execution_arn=execution,
            attempt=attempt,
        )

    def score_chunk(self, task: ChunkTask) -> ChunkSummary:
        plan, chunk = task.run, task.chunk
        summary_key = keys.batch_part_key(plan.run_id, "summary.json", chunk.index)
        done = self.store.get_bytes(summary_key)
        if done is not None:
            return ChunkSummary.model_validate_json(done)
        started = time.perf_counter()
        model = self.models.version(plan.model_version)
        layout = layout_for(plan.format, plan.header_line, model)
        scored_key = keys.batch_part_key(plan.run_id, "scored", chunk.index)
        rejected_key = keys.batch_part_key(plan.run_id, "rejected.jsonl", chunk.index)
        lines = 0

        def counted(blocks: Iterator[Lines]) -> Iterator[Lines]:
            nonlocal lines
            for block in blocks:
                lines += len(block)
                yield block

        with (
            self.store.writer(scored_key, "application/octet-stream") as scored,
            self.store.writer(rejected_key, "application/x-ndjson") as rejected,
        ):
            tally = score_lines(
                counted(self._blocks(plan.source, (chunk.start, chunk.end))),
                layout,
                model,
                first_line=0,
                write_scored=scored.write_lines,
                write_rejected=lambda rows: rejected.write_lines(
                    _local_rejection(row) for row in rows
                ),
                capture=self._capture(
                    f"{plan.source.key}#{plan.source.version_id}/chunk-{chunk.index}", model
                ),
            )
        summary = ChunkSummary(
            index=chunk.index,
            lines=lines,
            rows_read=tally.rows_read,
            rows_scored=tally.rows_scored,
            rows_rejected=tally.rows_rejected,
            blank_lines=tally.blank_lines,
            unseen_categories=tally.unseen_categories,
            scored_bytes=scored.bytes_written,
            seconds=time.perf_counter() - started,
        )
        self.store.put(summary_key, summary.model_dump_json().encode())
        return summary

    def merge(self, task: MergeTask) -> RunSummary:
        plan = task.run
        chunks = manifest_chunks(self.store, keys.batch_manifest_key(plan.run_id))
        summaries = read_summaries(self.store, plan.run_id, len(chunks))
        failed = [
            chunk for chunk, summary in zip(chunks, summaries, strict=True) if summary is None
        ]
        model = self.models.version(plan.model_version)
        base = RunSummary(
            status="failed",
            input=plan.source,
            format=plan.format,
            mode="distributed",
            model_name=model.manifest.model_name,
            model_version=model.version,
            started_at=plan.started_at,
            chunks=len(chunks),
            failed_chunks=failed,
            attempt=plan.attempt,
        )
        # Enforced here too, so the outcome is the same wherever the Map applied its tolerance.
        if 100 * len(failed) / len(chunks) > plan.tolerated_failure_percentage:
            return _finished(base, error=_chunk_error(failed, chunks, "no output was written"))
        layout = layout_for(plan.format, plan.header_line, model)
        content_type = CONTENT_TYPES[plan.format]
        scored_key, rejected_key = (
            keys.scored_key(plan.source.key),
            keys.rejected_key(plan.source.key),
        )
        with (
            self.store.writer(scored_key, content_type) as scored,
            self.store.writer(rejected_key, content_type) as rejected,
        ):
            header = ScoredRenderer(layout, model.predictor.classes, model.version).header()
            scored.write_lines([header] if header else [])
            write_scored(self.store, scored, plan.run_id, summaries)
            title = rejected_header(plan.format)
            rejected.write_lines([title] if title else [])
            write_rejected(self.store, rejected, plan, summaries, chunks)
        present = [summary for summary in summaries if summary is not None]
        counted = base.model_copy(
            update={
                "status": "failed" if failed else "succeeded",
                "rows_read": sum(summary.rows_read for summary in present),
                "rows_scored": sum(summary.rows_scored for summary in present),
                "rows_rejected": sum(summary.rows_rejected for summary in present),
                "blank_lines": sum(summary.blank_lines for summary in present),
                "unseen_categories": _unseen_in_all(present),
                "outputs": {"scored": scored_key, "rejected": rejected_key},
            }
        )
        error = _chunk_error(failed, chunks, "their rows are in neither output") if failed else None
        return _finished(counted, error=error)


def _unseen_in_all(summaries: list[ChunkSummary]) -> dict[str, UnseenCategories]:
    merged: dict[str, UnseenCategories] = {}
    for summary in summaries:
        add_unseen(merged, summary.unseen_categories)
    return merged


def _chunk_error(failed: list[ChunkSpec], chunks: list[ChunkSpec], consequence: str) -> RunError:
    return RunError(
        type="ChunkFailures",
        retryable=True,
        message=f"{len(failed)} of {len(chunks)} chunks failed (byte ranges in failed_chunks); "
        + consequence,
    )


def _finished(summary: RunSummary, error: RunError | None) -> RunSummary:
    finished = datetime.now(UTC)
    seconds = (finished - summary.started_at).total_seconds()
    return summary.model_copy(
        update={
            "finished_at": finished,
            "duration_seconds": seconds,
            "error": error,
            "rows_per_second": summary.rows_read / seconds if seconds > 0 else 0.0,
        }
    )


def _without_byte_order_mark(blocks: Iterator[bytes]) -> Iterator[bytes]:
    """A UTF-8 BOM opens many files saved on Windows; it is not part of the first record."""
    first = next(blocks, None)
    if first is not None:
        yield first.removeprefix(BYTE_ORDER_MARK)
    yield from blocks


BYTE_ORDER_MARK = "\ufeff".encode()


def _local_rejection(row: Rejected) -> str:
    payload: dict[str, Any] = {"line": row.line, "reason": row.reason, "record": row.record}
    return json.dumps(payload)
