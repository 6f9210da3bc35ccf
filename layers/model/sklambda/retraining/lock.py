"""One retraining at a time, and none again within a cool-down: the bucket's S3 lock.

A running lock expires after the state machine's own timeout, so a run that died without
releasing cannot wedge the loop; a released lock stays until the cool-down ends.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from sklambda.storage.keys import RETRAINING_LOCK_KEY
from sklambda.storage.lock import LeaseRecord, S3Lock, utc_now
from sklambda.storage.objects import S3Objects

LockStatus = Literal["acquired", "running", "cooling_down"]


class LockDecision(BaseModel):
    model_config = ConfigDict(frozen=True)

    acquired: bool
    status: LockStatus
    message: str
    holder: str
    until: datetime


class RetrainingLock:
    def __init__(
        self,
        s3: Any,
        bucket: str,
        *,
        run_timeout: timedelta,
        cooldown: timedelta,
        key: str = RETRAINING_LOCK_KEY,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._lock = S3Lock(S3Objects(s3, bucket), key, clock=clock)
        self._run_timeout = run_timeout
        self._cooldown = cooldown

    def acquire(self, run_id: str) -> LockDecision:
        outcome = self._lock.acquire(run_id, self._run_timeout)
        if outcome.acquired:
            return self._granted(outcome.record)
        return self._refused(outcome.record)

    def release(self, run_id: str) -> bool:
        """Start the cool-down; only the holder can release, and releasing twice is harmless."""
        return self._lock.finish(run_id, self._cooldown)

    @staticmethod
    def _granted(record: LeaseRecord) -> LockDecision:
        return LockDecision(
            acquired=True,
            status="acquired",
            message=f"run {record.holder} holds the retraining lock",
            holder=record.holder,
            until=record.expires_at,
        )

    @staticmethod
    def _refused(record: LeaseRecord) -> LockDecision:
        if record.state == "running":
            message = (
                f"retraining run {record.holder} is still running (started "
                f"{record.acquired_at:%Y-%m-%d %H:%M:%S}Z); this trigger is ignored"
            )
            status: LockStatus = "running"
        else:
            message = (
                f"the last retraining run {record.holder} finished at "
                f"{record.finished_at:%Y-%m-%d %H:%M:%S}Z; cooling down until "
                f"{record.expires_at:%Y-%m-%d %H:%M:%S}Z, this trigger is ignored"
            )
            status = "cooling_down"
        return LockDecision(
            acquired=False,
            status=status,
            message=message,
            holder=record.holder,
            until=record.expires_at,
        )
