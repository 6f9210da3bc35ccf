"""Run records: what each retraining or rollback run did and why, one JSON object per run."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from sklambda.retraining.trigger import Trigger
from sklambda.storage.keys import RETRAINING_RUNS_PREFIX, retraining_run_key
from sklambda.storage.objects import S3Objects

Outcome = Literal["promoted", "rejected", "refused", "failed", "rolled_back", "not_rolled_back"]


class RunRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    run_id: str
    kind: Literal["retraining", "rollback"] = "retraining"
    outcome: Outcome
    started_at: datetime
    finished_at: datetime
    trigger: Trigger | None = None
    champion_before: str | None = None
    champion_after: str | None = None
    candidate: str | None = None
    metric: str | None = None
    candidate_score: float | None = None
    champion_score: float | None = None
    holdout: str | None = None
    reasons: list[str] = []
    error: str | None = None


class RunStore:
    def __init__(self, s3: Any, bucket: str) -> None:
        self._objects = S3Objects(s3, bucket)

    def put(self, record: RunRecord) -> str:
        key = retraining_run_key(record.run_id)
        self._objects.put_json(key, record)
        return key

    def get(self, run_id: str) -> RunRecord | None:
        found = self._objects.get_json(retraining_run_key(run_id), RunRecord)
        return found[0] if found else None

    def recent(self, limit: int = 20) -> list[RunRecord]:
        """Newest first; the listing is by LastModified so old records are not all fetched."""
        items = [
            item
            for item in self._objects.list(RETRAINING_RUNS_PREFIX)
            if item.key.endswith(".json")
        ]
        items.sort(key=lambda item: item.last_modified, reverse=True)
        records = []
        for item in items[:limit]:
            found = self._objects.get_json(item.key, RunRecord)
            if found is not None:
                records.append(found[0])
        return sorted(records, key=lambda record: record.started_at, reverse=True)
