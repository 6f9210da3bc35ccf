"""Run records and claims: what makes a repeated delivery of the same object version a no-op."""

import json
import time
from collections.abc import Callable

from batch_handler.adapters.s3io import ObjectStore
from batch_handler.keys import claim_key, run_key
from batch_handler.models import ObjectRef, RunSummary


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
        self, store: ObjectStore, lease_seconds: float, clock: Callable[[], float] = time.time
    ) -> None:
        self._store = store
        self._lease = lease_seconds
        self._clock = clock

    def summary(self, key: str) -> RunSummary | None:
        body = self._store.get_bytes(run_key(key))
        return RunSummary.model_validate_json(body) if body is not None else None

    def write(self, summary: RunSummary) -> str:
        key = run_key(summary.input.key)
        self._store.put(key, summary.model_dump_json(indent=2).encode())
        return key

    def claim(self, run_id: str) -> bool:
        """Only one invocation works on an object version at a time; a claim older than the
        lease (the function timeout) belongs to a crashed invocation and may be taken over."""
        body = json.dumps({"claimed_at": self._clock()}).encode()
        if self._store.put(claim_key(run_id), body, IfNoneMatch="*"):
            return True
        found = self._store.get_with_etag(claim_key(run_id))
        if found is None:
            return self._store.put(claim_key(run_id), body, IfNoneMatch="*")
        content, etag = found
        if self._clock() - float(json.loads(content)["claimed_at"]) < self._lease:
            return False
        return self._store.put(claim_key(run_id), body, IfMatch=etag)

    def release(self, run_id: str) -> None:
        self._store.delete(claim_key(run_id))
