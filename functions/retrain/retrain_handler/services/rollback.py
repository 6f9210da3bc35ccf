"""Roll back: a serving alarm during the post-promotion watch puts the previous champion back."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from retrain_handler.models import Notification, RollbackInput
from sklambda.errors import ConcurrentUpdateError
from sklambda.observability import logger
from sklambda.registry.store import ModelRegistry
from sklambda.retraining import summary
from sklambda.retraining.runs import RunRecord, RunStore
from sklambda.retraining.trigger import Trigger, TriggerKind, parse_alarm_event
from sklambda.retraining.watch import PromotionWatch, rollback_refusal
from sklambda.storage.errors import PreconditionFailed
from sklambda.storage.keys import PROMOTION_WATCH_KEY
from sklambda.storage.objects import S3Objects


class RollbackService:
    def __init__(
        self,
        s3: Any,
        bucket: str,
        registry: ModelRegistry,
        runs: RunStore,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._objects = S3Objects(s3, bucket)
        self._registry = registry
        self._runs = runs
        self._clock = clock

    def handle(self, request: RollbackInput) -> Notification:
        alarm = parse_alarm_event(request.event)
        trigger = Trigger(
            kind=TriggerKind.SERVING,
            source=alarm.detail.alarm_name,
            reason=alarm.detail.state.reason,
            at=alarm.time,
        )
        started = self._clock()
        stored = self._objects.get_json(PROMOTION_WATCH_KEY, PromotionWatch)
        watch, etag = stored if stored else (None, "")
        serving = self._registry.alias()
        champion = serving.pointer.version if serving else None
        refusal = rollback_refusal(watch, champion, started)
        if refusal is None and watch is not None:
            refusal = self._roll_back(watch, etag, trigger)
        after = self._registry.alias()
        record = RunRecord(
            run_id=request.run_id,
            kind="rollback",
            outcome="not_rolled_back" if refusal else "rolled_back",
            started_at=started,
            finished_at=self._clock(),
            trigger=trigger,
            champion_before=champion,
            champion_after=after.pointer.version if after else None,
            candidate=watch.version if watch else None,
            reasons=[refusal]
            if refusal
            else [
                f"{trigger.source} fired during the watch after run "
                f"{watch.run_id if watch else '?'} promoted {champion}; {champion} no longer serves"
            ],
        )
        key = self._runs.put(record)
        logger.info("serving alarm handled", extra={"outcome": record.outcome, "reason": refusal})
        return Notification(
            notify=refusal is None,
            subject=summary.subject(record),
            message=summary.message(record),
            outcome=record.outcome,
            record_key=key,
        )

    def _roll_back(self, watch: PromotionWatch, etag: str, trigger: Trigger) -> str | None:
        try:
            self._registry.rollback(
                expected_current=watch.version,
                reason=f"{trigger.source} fired within the watch after run {watch.run_id}",
            )
        except ConcurrentUpdateError as error:
            return str(error)
        resolved = watch.model_copy(update={"rolled_back_at": self._clock()})
        try:
            self._objects.put_json(PROMOTION_WATCH_KEY, resolved, if_match=etag)
        except PreconditionFailed:
            logger.warning("the watch changed while rolling back", extra={"version": watch.version})
        return None
