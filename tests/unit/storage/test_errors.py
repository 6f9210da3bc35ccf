"""S3 error codes, as botocore reports them, sorted into what a caller does about them."""

import pytest
from botocore.exceptions import ClientError

from sklambda.storage.errors import (
    S3Fault,
    classify,
    error_code,
    is_missing,
    is_transient,
    lost_race,
)


def _error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "..."}}, "GetObject")


@pytest.mark.parametrize(
    ("code", "fault"),
    [
        ("NoSuchKey", S3Fault.MISSING),
        ("404", S3Fault.MISSING),  # HeadObject has no body, only the status
        ("NoSuchVersion", S3Fault.MISSING),
        ("PreconditionFailed", S3Fault.PRECONDITION_FAILED),
        ("412", S3Fault.PRECONDITION_FAILED),
        ("ConditionalRequestConflict", S3Fault.CONFLICT),
        ("SlowDown", S3Fault.TRANSIENT),
        ("InternalError", S3Fault.TRANSIENT),
        ("503", S3Fault.TRANSIENT),
        ("AccessDenied", S3Fault.OTHER),
        ("", S3Fault.OTHER),
    ],
)
def test_each_code_has_one_meaning(code, fault):
    assert classify(_error(code)) is fault


def test_a_lost_race_is_a_failed_precondition_or_a_conflict_and_nothing_else():
    assert lost_race(_error("PreconditionFailed"))
    assert lost_race(_error("409"))
    assert not lost_race(_error("NoSuchKey"))
    assert is_missing(_error("NotFound"))
    assert not is_missing(_error("AccessDenied"))
    assert is_transient(_error("SlowDown"))
    assert not is_transient(_error("AccessDenied"))


def test_an_error_without_a_code_reads_as_empty():
    assert error_code(ClientError({}, "PutObject")) == ""
    assert classify(ClientError({}, "PutObject")) is S3Fault.OTHER
