"""Writes reports under reports/<model>/: JSON for tools, HTML for people; keeps the trend.

Each run of a model version writes drift/<version>/<run id>.json and .html. Run ids are
UTC timestamps, so key order is time order. The trend (the last runs' headline figures) is
kept in one small object of the monitoring state, written with each report, so a run reads
one object however long the version's history; a deployment from before it has none, and its
first run builds it from the past reports once.
"""

import json
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError

from sklambda.observability import logger
from sklambda.storage.keys import ModelKeys
from sklambda.storage.objects import S3Objects

TREND_RUNS = 48


@dataclass(frozen=True)
class PastRun:
    """What the trend needs from one JSON report (schema versions 1 and 2 both carry it)."""

    run_id: str
    max_psi: float | None
    drifted_fraction: float | None


class TrendIndex(BaseModel):
    """At most TREND_RUNS runs of one version, oldest first."""

    model_version: str
    runs: list[PastRun]


class ReportStore:
    def __init__(self, objects: S3Objects, keys: ModelKeys) -> None:
        self._objects = objects
        self._keys = keys

    def put(self, relative_key: str, body: str, content_type: str) -> str:
        key = self._keys.report_key(relative_key)
        self._objects.put(key, body.encode(), content_type=content_type)
        return self._objects.uri(key)

    def uri(self, relative_key: str) -> str:
        return self._objects.uri(self._keys.report_key(relative_key))

    def past_runs(self, version: str, before: str, limit: int = TREND_RUNS) -> list[PastRun]:
        """The latest ``limit`` runs of ``version`` whose id sorts before ``before``, oldest
        first: from the trend index, or (when there is none yet) from the past reports."""
        indexed = self._indexed_runs(version)
        if indexed is None:
            return self._listed_runs(version, before, limit)
        return [run for run in indexed if run.run_id < before][-limit:]

    def record_trend(self, version: str, runs: list[PastRun], limit: int = TREND_RUNS) -> None:
        """Keep the latest ``limit`` of ``runs`` (oldest first) as the version's trend index."""
        index = TrendIndex(model_version=version, runs=runs[-limit:])
        self._objects.put_json(self._keys.drift_trend_key(version), index)

    def _indexed_runs(self, version: str) -> list[PastRun] | None:
        key = self._keys.drift_trend_key(version)
        try:
            found = self._objects.get_json(key, TrendIndex)
        except ValidationError:
            # The trend is context: an unreadable index is rebuilt, not a failed run.
            logger.warning("drift trend index unreadable; rebuilding it from the reports", key=key)
            return None
        return found[0].runs if found else None

    def _listed_runs(self, version: str, before: str, limit: int) -> list[PastRun]:
        """Every past report of the version, read one by one; a report that cannot be read as
        JSON is skipped (one bad object must not stop the run writing the next report)."""
        prefix = self._keys.report_key(f"drift/{version}/")
        run_ids = sorted(
            listed.key[len(prefix) : -len(".json")]
            for listed in self._objects.list(prefix)
            if listed.key.endswith(".json")
        )
        runs = []
        for run_id in [run_id for run_id in run_ids if run_id < before][-limit:]:
            body = self._objects.get_bytes(f"{prefix}{run_id}.json")
            try:
                report = json.loads(body or b"")
                runs.append(PastRun(run_id, report.get("max_psi"), report.get("drifted_fraction")))
            except (ValueError, AttributeError):
                continue
        return runs
