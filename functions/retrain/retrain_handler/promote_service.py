"""Promote: move the champion pointer only if the champion judged against still serves, and
start the post-promotion watch that lets a serving alarm undo it."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from retrain_handler.models import PromoteInput, PromoteResult
from sklambda.registry.store import ModelRegistry
from sklambda.retraining import s3_json
from sklambda.retraining.watch import WATCH_KEY, PromotionWatch


class PromoteService:
    def __init__(
        self,
        s3: Any,
        bucket: str,
        registry: ModelRegistry,
        watch: timedelta,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._registry = registry
        self._watch = watch
        self._clock = clock

    def promote(self, request: PromoteInput) -> PromoteResult:
        pointer = self._registry.promote(
            request.candidate_version,
            expected_current=request.champion_version,
            reason=f"retraining run {request.run_id}: {request.reason}",
        )
        now = self._clock()
        watch = PromotionWatch(
            version=pointer.version,
            previous=request.champion_version,
            run_id=request.run_id,
            promoted_at=now,
            watch_until=now + self._watch,
        )
        s3_json.write(self._s3, self._bucket, WATCH_KEY, watch)
        return PromoteResult(
            champion=pointer.version,
            previous=request.champion_version,
            watch_until=watch.watch_until,
        )
