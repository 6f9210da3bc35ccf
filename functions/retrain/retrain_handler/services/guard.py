"""Guard: know what started the run, then take the lock or say clearly why not."""

from retrain_handler.models import GuardInput, GuardResult
from sklambda.observability import logger
from sklambda.retraining.lock import RetrainingLock
from sklambda.retraining.trigger import parse_trigger


class GuardService:
    def __init__(
        self, lock: RetrainingLock, drift_alarms: frozenset[str], performance_alarms: frozenset[str]
    ) -> None:
        self._lock = lock
        self._drift_alarms = drift_alarms
        self._performance_alarms = performance_alarms

    def enter(self, request: GuardInput) -> GuardResult:
        trigger = parse_trigger(
            request.event,
            drift_alarms=self._drift_alarms,
            performance_alarms=self._performance_alarms,
        )
        decision = self._lock.acquire(request.run_id)
        logger.info(
            "retraining guard",
            extra={"run_id": request.run_id, "status": decision.status, "trigger": trigger.kind},
        )
        return GuardResult(
            acquired=decision.acquired,
            status=decision.status,
            message=decision.message,
            run_id=request.run_id,
            trigger=trigger,
        )
