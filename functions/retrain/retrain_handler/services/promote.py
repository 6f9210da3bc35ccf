"""Promote: move the champion pointer only if the champion judged against still serves, and
start the post-promotion watch that lets a serving alarm undo it."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from retrain_handler.models import PromoteInput, PromoteResult
from sklambda.errors import ConcurrentUpdateError
from sklambda.registry.manifest import AliasPointer
from sklambda.registry.store import ModelRegistry
from sklambda.retraining.watch import PromotionWatch
from sklambda.storage.keys import PROMOTION_WATCH_KEY
from sklambda.storage.objects import S3Objects


class PromoteService:
    def __init__(
        self,
        s3: Any,
        bucket: str,
        registry: ModelRegistry,
        watch: timedelta,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._objects = S3Objects(s3, bucket)
        self._registry = registry
        self._watch = watch
        self._clock = clock

    def promote(self, request: PromoteInput) -> PromoteResult:
        try:
            pointer = self._registry.promote(
                request.candidate_version,
                expected_current=request.champion_version,
                reason=f"retraining run {request.run_id}: {request.reason}",
            )
        except ConcurrentUpdateError:
            pointer = self._already_promoted(request)
        now = self._clock()
        watch = PromotionWatch(
            version=pointer.version,
            previous=request.champion_version,
            run_id=request.run_id,
            promoted_at=now,
            watch_until=now + self._watch,
        )
        self._objects.put_json(PROMOTION_WATCH_KEY, watch)
        return PromoteResult(
            champion=pointer.version,
            previous=request.champion_version,
            watch_until=watch.watch_until,
        )

    def _already_promoted(self, request: PromoteInput) -> AliasPointer:
        """A retried task whose first attempt moved the alias finds its own promotion: done."""
        state = self._registry.alias()
        if state is not None and (state.pointer.version, state.pointer.previous) == (
            request.candidate_version,
            request.champion_version,
        ):
            return state.pointer
        raise ConcurrentUpdateError(
            f"the champion moved during run {request.run_id} "
            f"(now {state.pointer.version if state else 'none'}); "
            f"{request.candidate_version} was not promoted"
        )
