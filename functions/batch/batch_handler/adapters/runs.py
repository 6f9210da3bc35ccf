"""Run records and claims: what makes a repeated delivery of the same object version a no-op."""

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from batch_handler.adapters.s3io import ObjectStore
from batch_handler.models import ObjectRef, RunSummary
from sklambda.storage.keys import batch_claim_key, batch_run_key
from sklambda.storage.lock import S3Lock, utc_now


def same_version(left: ObjectRef, right: ObjectRef) -> bool:
    if left.version_id and right.version_id:
        return left.version_id == right.version_id
    return left.etag.strip('"') == right.etag.strip('"')


def is_older(candidate: ObjectRef, recorded: ObjectRef) -> bool:
    """S3 sequencers of one key grow with each write; compare them as equal-width hex."""
    if not candidate.sequencer or not recorded.sequencer:
        return False
    width = max(len(candidate.sequencer), len(recorded.sequencer))
    return candidate.sequencer.rjust(width, "0") < recorded.sequencer.rjust(width, "0")


class RunStore:
    def __init__(
        self,
        store: ObjectStore,
        lease: timedelta,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._store = store
        self._lease = lease
        self._clock = clock

    def summary(self, key: str) -> RunSummary | None:
        found = self._store.get_json(batch_run_key(key), RunSummary)
        return found[0] if found else None

    def write(self, summary: RunSummary) -> str:
        key = batch_run_key(summary.input.key)
        self._store.put_json(key, summary)
        return key

    def _claim(self, run_id: str) -> S3Lock:
        return S3Lock(self._store, batch_claim_key(run_id), clock=self._clock)

    def claim(self, run_id: str) -> bool:
        """Only one invocation works on an object version at a time; a claim older than the
        lease (the function timeout) belongs to a crashed invocation and may be taken over."""
        # Every claim has its own holder name: a second delivery of the same object version
        # is refused, never let in as the holder coming back.
        return self._claim(run_id).acquire(uuid.uuid4().hex, self._lease).acquired

    def release(self, run_id: str) -> None:
        self._claim(run_id).release()
