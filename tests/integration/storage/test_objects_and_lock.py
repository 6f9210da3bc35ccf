"""Conditional writes, typed listings and the lease lock against moto's S3."""

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from botocore.exceptions import ClientError
from pydantic import BaseModel

from sklambda import aws
from sklambda.errors import SdkTooOldError
from sklambda.storage.errors import PreconditionFailed
from sklambda.storage.lock import LeaseRecord, LockContendedError, S3Lock
from sklambda.storage.objects import S3Objects, require_conditional_writes

BUCKET = "storage-test-bucket"
KEY = "state/thing.json"


class Thing(BaseModel):
    name: str


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def objects(moto: None) -> S3Objects:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    return S3Objects(s3, BUCKET)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_a_missing_object_reads_as_none_and_a_written_one_with_its_etag(objects):
    assert objects.get(KEY) is None
    assert objects.get_json(KEY, Thing) is None
    etag = objects.put_json(KEY, Thing(name="a"))
    assert objects.get_json(KEY, Thing) == (Thing(name="a"), etag)
    with pytest.raises(ClientError):
        objects.read_bytes("absent")


def test_create_only_writes_once(objects):
    objects.put_json(KEY, Thing(name="first"), if_none_match=True)
    with pytest.raises(PreconditionFailed):
        objects.put_json(KEY, Thing(name="second"), if_none_match=True)
    assert objects.get_json(KEY, Thing)[0].name == "first"  # type: ignore[index]


def test_replace_only_succeeds_on_the_version_read(objects):
    seen = objects.put_json(KEY, Thing(name="first"))
    newer = objects.put_json(KEY, Thing(name="second"), if_match=seen)
    with pytest.raises(PreconditionFailed):
        objects.put_json(KEY, Thing(name="stale"), if_match=seen)
    assert objects.get_json(KEY, Thing) == (Thing(name="second"), newer)


def test_listings_are_typed_and_latest_versions_skip_folders(objects):
    objects.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    objects.put("in/a.csv", b"1")
    objects.put("in/a.csv", b"22")
    objects.put("in/folder/", b"")
    assert [item.key for item in objects.list("in/")] == ["in/a.csv", "in/folder/"]
    (latest,) = list(objects.latest_versions("in/"))
    assert (latest.key, latest.size) == ("in/a.csv", 2)
    assert latest.version_id
    assert not latest.etag.startswith('"')


def test_an_sdk_without_conditional_writes_is_named():
    s3 = mock.MagicMock()
    s3.meta.service_model.operation_model.return_value.input_shape.members = {"Bucket": None}
    with pytest.raises(SdkTooOldError, match="conditional S3 writes"):
        require_conditional_writes(s3)


# ---------------------------------------------------------------- the lock
def test_one_holder_at_a_time_and_the_holder_may_ask_again(objects, clock):
    lock = S3Lock(objects, "locks/a.json", clock=clock)
    assert lock.acquire("one", timedelta(minutes=5)).acquired
    refused = lock.acquire("two", timedelta(minutes=5))
    assert not refused.acquired
    assert refused.record.holder == "one"
    assert lock.acquire("one", timedelta(minutes=5)).acquired


def test_an_expired_lease_is_taken_over_and_the_old_holder_cannot_finish_it(objects, clock):
    lock = S3Lock(objects, "locks/a.json", clock=clock)
    lock.acquire("one", timedelta(minutes=5))
    clock.now += timedelta(minutes=6)
    taken = lock.acquire("two", timedelta(minutes=5))
    assert taken.acquired
    assert taken.record.holder == "two"
    assert not lock.finish("one")
    assert lock.acquire("three", timedelta(minutes=5)).record.holder == "two"


def test_a_finished_lease_holds_others_off_for_the_chosen_time(objects, clock):
    lock = S3Lock(objects, "locks/a.json", clock=clock)
    lock.acquire("one", timedelta(minutes=5))
    assert lock.finish("one", timedelta(minutes=30))
    assert lock.finish("one")
    clock.now += timedelta(minutes=29)
    waiting = lock.acquire("two", timedelta(minutes=5))
    assert not waiting.acquired
    assert waiting.record.state == "finished"
    clock.now += timedelta(minutes=2)
    assert lock.acquire("two", timedelta(minutes=5)).acquired


def test_a_released_lock_is_free_at_once(objects, clock):
    lock = S3Lock(objects, "locks/a.json", clock=clock)
    lock.acquire("one", timedelta(minutes=5))
    lock.release()
    assert lock.acquire("two", timedelta(minutes=5)).acquired


def test_an_unreadable_record_does_not_wedge_the_lock(objects, clock):
    objects.put("locks/a.json", b'{"claimed_at": 0}')
    lock = S3Lock(objects, "locks/a.json", clock=clock)
    assert lock.acquire("one", timedelta(minutes=5)).acquired
    assert not lock.finish("someone-else")


def test_of_two_racing_takeovers_exactly_one_wins(objects, clock):
    """Both read the same expired record; S3's If-Match lets only the first write through."""
    stale = LeaseRecord(holder="dead", state="running", acquired_at=clock.now, expires_at=clock.now)
    objects.put_json("locks/a.json", stale)
    first = S3Lock(objects, "locks/a.json", clock=clock)
    second = S3Lock(objects, "locks/a.json", clock=clock)
    real_get = objects.get
    outcomes: list[Any] = []

    def get_then_let_the_other_win(key: str) -> Any:
        stored = real_get(key)
        if not outcomes:
            outcomes.append(None)
            outcomes[0] = second.acquire("two", timedelta(minutes=5))
        return stored

    with mock.patch.object(objects, "get", side_effect=get_then_let_the_other_win):
        lost = first.acquire("one", timedelta(minutes=5))
    assert outcomes[0].acquired
    assert not lost.acquired
    assert lost.record.holder == "two"


def test_a_record_that_keeps_vanishing_ends_in_an_error_not_a_loop(objects, clock):
    lock = S3Lock(objects, "locks/a.json", clock=clock)
    objects.put_json(
        "locks/a.json",
        LeaseRecord(holder="x", state="running", acquired_at=clock.now, expires_at=clock.now),
    )
    with (
        mock.patch.object(objects, "get", return_value=None),
        pytest.raises(LockContendedError),
    ):
        lock.acquire("one", timedelta(minutes=5))
