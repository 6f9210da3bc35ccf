"""Batch domain: decide what an invocation means, make repeats harmless, record every outcome.

Every object version ends with a record in runs/: a summary, or an error that says what went
wrong. Errors that a retry can fix are raised after the record is written, so Lambda retries
the event and, once retries run out, sends it to the failure queue.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel

from batch_handler.adapters.runs import RunStore, is_older, same_version
from batch_handler.errors import ChunkFailedError
from batch_handler.models import (
    ChunkSummary,
    ChunkTask,
    FailureTask,
    MergeTask,
    ObjectCreatedEvent,
    ObjectRef,
    RunError,
    RunSummary,
    S3NotificationEvent,
    SweepEvent,
)
from batch_handler.runner import Runner
from batch_handler.telemetry import BatchTelemetry
from sklambda.errors import ModelUnavailableError, SklambdaError
from sklambda.observability import logger
from sklambda.storage import keys

# The sweep stops starting files when less than this is left of the invocation.
SWEEP_MARGIN_MS = 120_000


class Outcome(BaseModel):
    """What one Object Created event led to."""

    key: str
    result: str
    summary: RunSummary | None = None


class Outcomes(BaseModel):
    """What an S3 notification carrying several records led to, one outcome per object."""

    results: list[Outcome]


class SweepReport(BaseModel):
    examined: int = 0
    started: list[Outcome] = []
    failed: list[str] = []
    stopped_early: bool = False


def _error_record(error: Exception) -> RunError:
    retryable = getattr(error, "retryable", True)
    return RunError(type=type(error).__name__, message=str(error), retryable=bool(retryable))


class BatchService:
    def __init__(
        self,
        runner: Runner,
        runs: RunStore,
        telemetry: BatchTelemetry,
        *,
        model_name: str,
        distributed_threshold_bytes: int,
        sweep_max_files: int,
    ) -> None:
        self._runner = runner
        self._runs = runs
        self._telemetry = telemetry
        self._model_name = model_name
        self._threshold = distributed_threshold_bytes
        self._sweep_max = sweep_max_files

    def handle(self, invocation: Any, remaining_ms: Callable[[], int]) -> dict[str, Any]:
        result: BaseModel
        if isinstance(invocation, ObjectCreatedEvent):
            result = self.score_object(invocation.object_ref())
        elif isinstance(invocation, S3NotificationEvent):
            outcomes = [self.score_object(ref) for ref in invocation.object_refs()]
            result = outcomes[0] if len(outcomes) == 1 else Outcomes(results=outcomes)
        elif isinstance(invocation, SweepEvent):
            result = self.sweep(remaining_ms)
        elif isinstance(invocation, ChunkTask):
            result = self.score_chunk(invocation)
        elif isinstance(invocation, MergeTask):
            result = self.merge(invocation)
        elif isinstance(invocation, FailureTask):
            result = self.record_failure(invocation)
        else:
            raise TypeError(f"unsupported invocation {type(invocation).__name__}")
        return result.model_dump(mode="json")

    # ------------------------------------------------------------ one uploaded object

    def score_object(self, ref: ObjectRef) -> Outcome:
        if not ref.key.startswith(keys.INCOMING_PREFIX) or ref.key.endswith("/"):
            return Outcome(key=ref.key, result="ignored: not a file under incoming/")
        settled = self._settled(ref)
        if settled is not None:
            return settled
        run = keys.batch_run_id(ref.key, ref.version_id or ref.etag)
        if not self._runs.claim(run):
            return Outcome(
                key=ref.key, result="duplicate: another invocation is scoring this version"
            )
        try:
            # Checked again under the claim: a twin may have finished between the two reads.
            settled = self._settled(ref)
            if settled is not None:
                return settled
            summary = self._score(ref, run, self._runs.summary(ref.key))
        finally:
            self._runs.release(run)
        return Outcome(key=ref.key, result=summary.status, summary=summary)

    def _settled(self, ref: ObjectRef) -> Outcome | None:
        recorded = self._runs.summary(ref.key)
        if recorded is None:
            return None
        if same_version(recorded.input, ref) and recorded.status in {"succeeded", "in_progress"}:
            return Outcome(
                key=ref.key, result=f"duplicate: already {recorded.status}", summary=recorded
            )
        if is_older(ref, recorded.input):
            return Outcome(key=ref.key, result="superseded: a newer version was already scored")
        return None

    def _score(self, ref: ObjectRef, run: str, previous: RunSummary | None) -> RunSummary:
        started_at = datetime.now(UTC)
        retry = previous is not None and same_version(previous.input, ref)
        attempt = previous.attempt + 1 if previous is not None and retry else 1
        try:
            if ref.size > self._threshold:
                summary = self._runner.start_distributed(ref, run, started_at, attempt)
            else:
                summary = self._runner.score_file(ref, started_at)
        except Exception as error:
            failure = self._record_error(ref, error, started_at, mode="single", attempt=attempt)
            if failure.error and failure.error.retryable:
                raise
            return failure
        summary = summary.model_copy(
            update={
                "attempt": attempt,
                "previous_error": previous.error if previous is not None and retry else None,
            }
        )
        self._runs.write(summary)
        if summary.status == "succeeded":
            self._observe(summary)
        logger.info("batch run", extra={"run": summary.model_dump(mode="json")})
        return summary

    def _record_error(
        self,
        ref: ObjectRef,
        error: Exception,
        started_at: datetime,
        mode: str,
        version: str | None = None,
        attempt: int = 1,
    ) -> RunSummary:
        record = _error_record(error)
        summary = RunSummary(
            status="failed",
            input=ref,
            mode="distributed" if mode == "distributed" else "single",
            model_name=self._model_name,
            model_version=version,
            started_at=started_at,
            duration_seconds=(datetime.now(UTC) - started_at).total_seconds(),
            error=record,
            attempt=attempt,
        )
        log = logger.warning if isinstance(error, SklambdaError) else logger.exception
        log("batch run failed", extra={"key": ref.key, "error": record.model_dump()})
        self._telemetry.file_failed(record.type, version)
        try:
            self._runs.write(summary)
        except Exception:
            logger.exception("the error record could not be written", extra={"key": ref.key})
        return summary

    def _observe(self, summary: RunSummary) -> None:
        self._telemetry.file_scored(
            summary.model_version or "",
            summary.mode,
            summary.rows_scored,
            summary.rows_rejected,
            summary.duration_seconds,
        )

    # ------------------------------------------------------------ schedule

    def sweep(self, remaining_ms: Callable[[], int]) -> SweepReport:
        """Score uploads whose latest version has no successful run (nor one under way)."""
        report = SweepReport()
        for version in self._runner.store.latest_versions(keys.INCOMING_PREFIX):
            report.examined += 1
            if len(report.started) + len(report.failed) >= self._sweep_max or (
                remaining_ms() < SWEEP_MARGIN_MS
            ):
                report.stopped_early = True
                break
            ref = ObjectRef(
                bucket=self._runner.store.bucket,
                key=version.key,
                version_id=version.version_id,
                size=version.size,
                etag=version.etag,
            )
            recorded = self._runs.summary(ref.key)
            if (
                recorded is not None
                and same_version(recorded.input, ref)
                and (
                    recorded.status != "failed" or not (recorded.error and recorded.error.retryable)
                )
            ):
                continue
            try:
                report.started.append(self.score_object(ref))
            except Exception:
                report.failed.append(ref.key)  # its error record is in runs/
        return report

    # ------------------------------------------------------------ state machine tasks

    def score_chunk(self, task: ChunkTask) -> ChunkSummary:
        try:
            return self._runner.score_chunk(task)
        except (BotoCoreError, ClientError, ModelUnavailableError) as error:
            # Named so the state machine's Retry can single out the faults worth retrying.
            raise ChunkFailedError(f"chunk {task.chunk.index}: {error}") from error

    def merge(self, task: MergeTask) -> RunSummary:
        summary = self._runner.merge(task)
        self._runs.write(summary)
        if summary.status == "succeeded":
            self._observe(summary)
        else:
            self._telemetry.file_failed("ChunkFailures", summary.model_version)
        return summary

    def record_failure(self, task: FailureTask) -> RunSummary:
        cause = str(task.error.get("Cause", "")) or "the state machine run failed"
        error = _StateMachineFailure(f"{task.error.get('Error', 'States.Failed')}: {cause}"[:2000])
        return self._record_error(
            task.run.source,
            error,
            task.run.started_at,
            mode="distributed",
            version=task.run.model_version,
            attempt=task.run.attempt,
        )


class _StateMachineFailure(SklambdaError):
    retryable = True
