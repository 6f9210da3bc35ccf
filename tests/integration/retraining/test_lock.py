"""The retraining lock on S3 conditional writes (moto), with a clock the test moves."""

from datetime import UTC, datetime, timedelta

import pytest

from sklambda import aws
from sklambda.retraining.lock import RetrainingLock


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def lock(registry, clock) -> RetrainingLock:
    return RetrainingLock(
        aws.client("s3"),
        registry.bucket,
        run_timeout=timedelta(hours=1),
        cooldown=timedelta(minutes=30),
        clock=clock,
    )


def test_one_run_holds_the_lock_and_another_is_told_it_is_running(lock):
    assert lock.acquire("run-a").acquired
    refused = lock.acquire("run-b")
    assert (refused.acquired, refused.status, refused.holder) == (False, "running", "run-a")
    assert "run-a is still running" in refused.message


def test_a_retried_guard_of_the_holding_run_gets_the_lock_again(lock):
    assert lock.acquire("run-a").acquired
    assert lock.acquire("run-a").acquired


def test_after_release_the_cool_down_refuses_until_it_ends(lock, clock):
    lock.acquire("run-a")
    assert lock.release("run-a")
    clock.now += timedelta(minutes=29)
    cooling = lock.acquire("run-b")
    assert (cooling.acquired, cooling.status) == (False, "cooling_down")
    clock.now += timedelta(minutes=2)
    assert lock.acquire("run-b").acquired


def test_a_run_that_died_holding_the_lock_is_overtaken_after_the_run_timeout(lock, clock):
    lock.acquire("run-a")
    clock.now += timedelta(minutes=61)
    assert lock.acquire("run-b").acquired
    assert not lock.release("run-a")  # the dead run cannot end the new run's lock
    assert lock.acquire("run-c").status == "running"


def test_only_the_holder_releases_and_releasing_twice_is_harmless(lock):
    lock.acquire("run-a")
    assert not lock.release("run-b")
    assert lock.release("run-a")
    assert lock.release("run-a")
    assert lock.acquire("run-b").status == "cooling_down"
