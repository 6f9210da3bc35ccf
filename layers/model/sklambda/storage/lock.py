"""A lease lock in one S3 object, on conditional writes.

S3 conditional writes are atomic and strongly consistent: of two callers that race for the
lock exactly one create (If-None-Match) or take-over (If-Match on the ETag read) succeeds. A
lease expires, so a holder that died cannot wedge whoever comes next; a finished lease can be
kept until a chosen time (a cool-down) before the next holder may take it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from sklambda.storage.errors import PreconditionFailed
from sklambda.storage.objects import S3Objects, StoredObject

# Each attempt ends in a decision unless the record is deleted between our write and read;
# a few rounds cover a release racing us without looping forever.
_ATTEMPTS = 5


class LeaseRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    holder: str
    state: Literal["running", "finished"]
    acquired_at: datetime
    expires_at: datetime
    finished_at: datetime | None = None


@dataclass(frozen=True)
class LeaseOutcome:
    """``record`` is the caller's lease when acquired, otherwise the one in the way."""

    acquired: bool
    record: LeaseRecord


class LockContendedError(RuntimeError):
    """The lock record kept vanishing between our writes and reads."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def _parsed(stored: StoredObject) -> LeaseRecord | None:
    # A record this code cannot read (hand-edited, older format) must not wedge the lock:
    # it is treated as expired and replaced, still only through If-Match.
    try:
        return LeaseRecord.model_validate_json(stored.body)
    except ValidationError:
        return None


class S3Lock:
    def __init__(
        self, objects: S3Objects, key: str, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._objects = objects
        self.key = key
        self._clock = clock

    def acquire(self, holder: str, lease: timedelta) -> LeaseOutcome:
        """Take the lock for ``lease``; the same holder asking again while it runs keeps it."""
        for _ in range(_ATTEMPTS):
            outcome = self._attempt(holder, lease)
            if outcome is not None:
                return outcome
        raise LockContendedError(f"lock {self.key} was deleted under us {_ATTEMPTS} times")

    def _attempt(self, holder: str, lease: timedelta) -> LeaseOutcome | None:
        now = self._clock()
        mine = LeaseRecord(holder=holder, state="running", acquired_at=now, expires_at=now + lease)
        try:
            self._objects.put_json(self.key, mine, if_none_match=True)
            return LeaseOutcome(True, mine)
        except PreconditionFailed:
            pass
        stored = self._objects.get(self.key)
        if stored is None:
            return None
        current = _parsed(stored)
        if current is not None:
            if current.holder == holder and current.state == "running":
                return LeaseOutcome(True, current)  # a retried call after a lost response
            if current.expires_at > now:
                return LeaseOutcome(False, current)
        try:
            self._objects.put_json(self.key, mine, if_match=stored.etag)
        except PreconditionFailed:
            latest = self._objects.get(self.key)
            winner = _parsed(latest) if latest is not None else None
            return LeaseOutcome(False, winner) if winner is not None else None
        return LeaseOutcome(True, mine)

    def finish(self, holder: str, hold_for: timedelta = timedelta(0)) -> bool:
        """Mark the holder's lease finished, blocking others for ``hold_for`` more; only the
        holder can finish it, and finishing twice is harmless."""
        stored = self._objects.get(self.key)
        current = _parsed(stored) if stored is not None else None
        if stored is None or current is None or current.holder != holder:
            return False
        if current.state == "finished":
            return True
        now = self._clock()
        finished = current.model_copy(
            update={"state": "finished", "finished_at": now, "expires_at": now + hold_for}
        )
        try:
            self._objects.put_json(self.key, finished, if_match=stored.etag)
        except PreconditionFailed:
            return False
        return True

    def release(self) -> None:
        """Delete the lock record so the next caller takes it at once."""
        self._objects.delete(self.key)
