"""Writes reports under reports/<model>/: JSON for tools, HTML for people; reads past runs back.

Each run of a model version writes drift/<version>/<run id>.json and .html. Run ids are
UTC timestamps, so key order is time order and the past reports give the trend.
"""

import json
from dataclasses import dataclass

from sklambda.storage.keys import ModelKeys
from sklambda.storage.objects import S3Objects

TREND_RUNS = 48


@dataclass(frozen=True)
class PastRun:
    """What the trend needs from one JSON report (schema versions 1 and 2 both carry it)."""

    run_id: str
    max_psi: float | None
    drifted_fraction: float | None


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

    def past_runs(self, folder: str, before: str, limit: int = TREND_RUNS) -> list[PastRun]:
        """The latest ``limit`` runs in ``folder`` whose id sorts before ``before``, oldest first.

        A report that cannot be read as JSON is skipped: the trend is context, and one bad
        object must not stop the run that is writing the next report.
        """
        prefix = self._keys.report_key(f"{folder}/")
        run_ids = sorted(
            listed.key[len(prefix) : -len(".json")]
            for listed in self._objects.list(prefix)
            if listed.key.endswith(".json")
        )
        earlier = [run_id for run_id in run_ids if run_id < before][-limit:]
        runs = []
        for run_id in earlier:
            body = self._objects.get_bytes(f"{prefix}{run_id}.json")
            try:
                report = json.loads(body or b"")
                runs.append(PastRun(run_id, report.get("max_psi"), report.get("drifted_fraction")))
            except (ValueError, AttributeError):
                continue
        return runs
