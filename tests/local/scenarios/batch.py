"""BatchScoreFunction: the scheduled sweep finds an upload in incoming/ and scores it."""

from typing import Any

from tests.local.scenarios.core import Scenario, Seeded, check_no_error

LOCAL_BATCH_KEY = "incoming/sam-local/two-rows.csv"


def seed_incoming_file(seeded: Seeded) -> None:
    names = seeded.champion.feature_schema.names
    row = ",".join(["10.0"] * len(names))
    seeded.put_text(LOCAL_BATCH_KEY, "id," + ",".join(names) + f"\nfirst,{row}\nbad,1,2\n")


def swept_summary(payload: Any, seeded: Seeded, event: dict[str, Any], key: str) -> Any:
    """The run summary the sweep reports for ``key``, which must have succeeded."""
    check_no_error(payload, seeded, event)
    (started,) = [item for item in payload["started"] if item["key"] == key]
    summary = started["summary"]
    assert summary["status"] == "succeeded", summary
    return summary


def check_batch_sweep(payload: Any, seeded: Seeded, event: dict[str, Any]) -> None:
    summary = swept_summary(payload, seeded, event, LOCAL_BATCH_KEY)
    assert (summary["rows_read"], summary["rows_scored"], summary["rows_rejected"]) == (2, 1, 1)
    assert summary["model_version"] == seeded.champion.version
    scored = seeded.read_text("scored/sam-local/two-rows.csv")
    assert scored.splitlines()[1].startswith("first,10.0")


BATCH = {
    "BatchScoreFunction": Scenario("batch_scheduled_sweep", check_batch_sweep, seed_incoming_file)
}
