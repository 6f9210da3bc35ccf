"""Run records: what each retraining or rollback run did and why, one JSON object per run."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from sklambda.retraining import s3_json
from sklambda.retraining.trigger import Trigger

RUNS_PREFIX = "retraining/runs/"
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
    def __init__(self, s3: Any, bucket: str, prefix: str = RUNS_PREFIX) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._prefix = prefix

    def key(self, run_id: str) -> str:
        return f"{self._prefix}{run_id}.json"

    def put(self, record: RunRecord) -> str:
        key = self.key(record.run_id)
        s3_json.write(self._s3, self._bucket, key, record)
        return key

    def get(self, run_id: str) -> RunRecord | None:
        stored = s3_json.read(self._s3, self._bucket, self.key(run_id))
        return RunRecord.model_validate_json(stored.body) if stored else None

    def recent(self, limit: int = 20) -> list[RunRecord]:
        """Newest first; the listing is by LastModified so old records are not all fetched."""
        paginator = self._s3.get_paginator("list_objects_v2")
        items = [
            item
            for page in paginator.paginate(Bucket=self._bucket, Prefix=self._prefix)
            for item in page.get("Contents", [])
            if item["Key"].endswith(".json")
        ]
        items.sort(key=lambda item: item["LastModified"], reverse=True)
        records = []
        for item in items[:limit]:
            stored = s3_json.read(self._s3, self._bucket, item["Key"])
            if stored is not None:
                records.append(RunRecord.model_validate_json(stored.body))
        return sorted(records, key=lambda record: record.started_at, reverse=True)
