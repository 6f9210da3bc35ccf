"""One retraining at a time, and none again within a cool-down: a lock object in S3.

S3 conditional writes are atomic and strongly consistent: of two runs that race for the lock
exactly one create (If-None-Match) or take-over (If-Match on the ETag read) succeeds. A
running lock expires after the state machine's own timeout, so a run that died without
releasing cannot wedge the loop; a released lock stays until the cool-down ends.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from sklambda.retraining import s3_json

LockStatus = Literal["acquired", "running", "cooling_down"]
LOCK_KEY = "retraining/lock.json"


class LockRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    holder: str
    state: Literal["running", "finished"]
    acquired_at: datetime
    expires_at: datetime
    finished_at: datetime | None = None


class LockDecision(BaseModel):
    model_config = ConfigDict(frozen=True)

    acquired: bool
    status: LockStatus
    message: str
    holder: str
    until: datetime


def _utc_now() -> datetime:
    return datetime.now(UTC)


class RetrainingLock:
    def __init__(
        self,
        s3: Any,
        bucket: str,
        *,
        run_timeout: timedelta,
        cooldown: timedelta,
        key: str = LOCK_KEY,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._key = key
        self._run_timeout = run_timeout
        self._cooldown = cooldown
        self._clock = clock

    def acquire(self, run_id: str) -> LockDecision:
        now = self._clock()
        mine = LockRecord(
            holder=run_id, state="running", acquired_at=now, expires_at=now + self._run_timeout
        )
        try:
            s3_json.write(self._s3, self._bucket, self._key, mine, if_none_match=True)
            return self._granted(mine)
        except s3_json.PreconditionFailed:
            pass
        stored = s3_json.read(self._s3, self._bucket, self._key)
        if stored is None:  # released and deleted by hand between our two calls
            return self.acquire(run_id)
        current = LockRecord.model_validate_json(stored.body)
        if current.holder == run_id and current.state == "running":
            return self._granted(current)  # a retried Guard task after a lost response
        if current.expires_at > now:
            return self._refused(current)
        try:
            s3_json.write(self._s3, self._bucket, self._key, mine, if_match=stored.etag)
        except s3_json.PreconditionFailed:
            latest = s3_json.read(self._s3, self._bucket, self._key)
            if latest is None:
                return self.acquire(run_id)
            return self._refused(LockRecord.model_validate_json(latest.body))
        return self._granted(mine)

    def release(self, run_id: str) -> bool:
        """Start the cool-down; only the holder can release, and releasing twice is harmless."""
        stored = s3_json.read(self._s3, self._bucket, self._key)
        if stored is None:
            return False
        current = LockRecord.model_validate_json(stored.body)
        if current.holder != run_id:
            return False
        if current.state == "finished":
            return True
        now = self._clock()
        finished = current.model_copy(
            update={"state": "finished", "finished_at": now, "expires_at": now + self._cooldown}
        )
        try:
            s3_json.write(self._s3, self._bucket, self._key, finished, if_match=stored.etag)
        except s3_json.PreconditionFailed:
            return False
        return True

    @staticmethod
    def _granted(record: LockRecord) -> LockDecision:
        return LockDecision(
            acquired=True,
            status="acquired",
            message=f"run {record.holder} holds the retraining lock",
            holder=record.holder,
            until=record.expires_at,
        )

    @staticmethod
    def _refused(record: LockRecord) -> LockDecision:
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
