"""Report: write the run record, end the lock (the cool-down starts), and phrase the notice."""

import json
from collections.abc import Callable
from datetime import UTC, datetime

from retrain_handler.models import Notification, ReportInput, TaskError
from sklambda.registry.store import ModelRegistry
from sklambda.retraining import summary
from sklambda.retraining.lock import RetrainingLock
from sklambda.retraining.runs import RunRecord, RunStore


def error_text(error: TaskError | None) -> str | None:
    """Lambda puts its error as JSON in Cause; a person wants the type and the message."""
    if error is None:
        return None
    try:
        cause = json.loads(error.cause)
        return f"{cause.get('errorType', error.error)}: {cause.get('errorMessage', '')}".strip()
    except (json.JSONDecodeError, AttributeError):
        return f"{error.error}: {error.cause}".strip(": ")


class ReportService:
    def __init__(
        self,
        runs: RunStore,
        lock: RetrainingLock,
        registry: ModelRegistry,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._runs = runs
        self._lock = lock
        self._registry = registry
        self._clock = clock

    def report(self, request: ReportInput) -> Notification:
        state = request.state
        training, verdict, guard = state.training, state.evaluation, state.guard
        reasons = list(verdict.reasons) if verdict else []
        if guard is not None and not guard.acquired:
            reasons = [guard.message]
        serving = self._registry.alias()
        champion_now = serving.pointer.version if serving else None
        record = RunRecord(
            run_id=request.run_id,
            outcome=request.outcome,
            started_at=request.started_at,
            finished_at=self._clock(),
            trigger=guard.trigger if guard else None,
            champion_before=training.champion_version if training else champion_now,
            champion_after=champion_now,
            candidate=training.candidate_version if training else None,
            metric=verdict.metric if verdict else None,
            candidate_score=verdict.candidate_score if verdict else None,
            champion_score=verdict.champion_score if verdict else None,
            holdout=f"{training.holdout_source}, {training.holdout_rows} rows"
            if training
            else None,
            reasons=reasons,
            error=error_text(state.error),
        )
        key = self._runs.put(record)
        if guard is not None and guard.acquired:
            self._lock.release(request.run_id)
        return Notification(
            notify=record.outcome != "refused",
            subject=summary.subject(record),
            message=summary.message(record),
            outcome=record.outcome,
            record_key=key,
        )
