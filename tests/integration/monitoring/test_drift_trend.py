"""The drift trend is read from one small index, not by listing every past report."""

import json
from collections import Counter
from collections.abc import Iterator

import pytest

from drift_handler.adapters.report_store import TREND_RUNS, PastRun, ReportStore
from sklambda import aws
from sklambda.storage.keys import ModelKeys
from sklambda.storage.objects import S3Objects
from sklambda_local.iam import running_as
from tests.unit.s3_grants import model_keys

VERSION = "v-trend"


@pytest.fixture
def s3_calls(registry, stack) -> Iterator[tuple[ReportStore, Counter[str]]]:
    """A report store as DriftFunction's role builds it, counting the S3 calls it makes."""
    from drift_handler.settings import DriftSettings

    keys = model_keys(stack, "DriftFunction", DriftSettings)
    calls: Counter[str] = Counter()
    with running_as(stack, "DriftFunction"):
        s3 = aws.client("s3")

        def count(model, **_):
            calls[model.name] += 1

        s3.meta.events.register("before-call.s3", count)
        yield ReportStore(S3Objects(s3, registry.bucket), keys), calls
        s3.meta.events.unregister("before-call.s3", count)


def _report(store: ReportStore, run_id: str, max_psi: float) -> None:
    body = json.dumps({"max_psi": max_psi, "drifted_fraction": 0.0})
    store.put(f"drift/{VERSION}/{run_id}.json", body, "application/json")


def _run(store: ReportStore, run_id: str, max_psi: float) -> list[PastRun]:
    """What one drift run does with the store: read the trend, write the report and index."""
    past = store.past_runs(VERSION, before=run_id)
    _report(store, run_id, max_psi)
    store.record_trend(VERSION, [*past, PastRun(run_id, max_psi, 0.0)])
    return past


def test_without_an_index_the_reports_are_listed_once_then_the_index_is_read(s3_calls):
    store, calls = s3_calls
    # Given a deployment from before the index: three reports and no index
    for hour, psi in enumerate((0.1, 0.2, 0.3)):
        _report(store, f"20300101T0{hour}0000Z", psi)
    calls.clear()
    # When the next run reads the trend, it lists the reports (once) and builds the index
    past = _run(store, "20300101T030000Z", 0.4)
    assert [run.max_psi for run in past] == [0.1, 0.2, 0.3]
    assert calls["ListObjectsV2"] == 1
    calls.clear()
    # Then the following runs read the index alone: no listing, one read
    past = _run(store, "20300101T040000Z", 0.5)
    assert [run.max_psi for run in past] == [0.1, 0.2, 0.3, 0.4]
    assert calls["ListObjectsV2"] == 0
    assert calls["GetObject"] == 1


def test_the_index_keeps_only_the_runs_the_trend_draws(s3_calls, registry, stack):
    store, calls = s3_calls
    for hour in range(TREND_RUNS + 12):
        _run(store, f"20300101T{hour:04d}00Z", hour / 100)
    calls.clear()
    past = store.past_runs(VERSION, before="20300102T000000Z")
    assert len(past) == TREND_RUNS
    assert past[-1].run_id == f"20300101T{TREND_RUNS + 11:04d}00Z"
    assert calls == Counter({"GetObject": 1})
    key = ModelKeys("sklambda-model").drift_trend_key(VERSION)
    index = aws.client("s3").get_object(Bucket=registry.bucket, Key=key)["Body"].read()
    assert len(json.loads(index)["runs"]) == TREND_RUNS


def test_an_unreadable_index_is_rebuilt_from_the_reports(s3_calls, registry, stack):
    store, calls = s3_calls
    _run(store, "20300101T000000Z", 0.1)
    key = ModelKeys("sklambda-model").drift_trend_key(VERSION)
    aws.client("s3").put_object(Bucket=registry.bucket, Key=key, Body=b'{"runs": "not a list"}')
    calls.clear()
    past = _run(store, "20300101T010000Z", 0.2)
    assert [run.run_id for run in past] == ["20300101T000000Z"]
    assert calls["ListObjectsV2"] == 1
    assert [run.run_id for run in store.past_runs(VERSION, before="9")] == [
        "20300101T000000Z", "20300101T010000Z",
    ]  # fmt: skip


def test_runs_at_or_after_the_current_one_are_not_its_past(s3_calls):
    store, _ = s3_calls
    for run_id in ("20300101T000000Z", "20300101T010000Z", "20300101T020000Z"):
        _run(store, run_id, 0.1)
    assert [run.run_id for run in store.past_runs(VERSION, before="20300101T010000Z")] == [
        "20300101T000000Z"
    ]
