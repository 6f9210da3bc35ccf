"""S3 error codes, read in one place: what a ClientError means for the caller."""

from enum import Enum

from botocore.exceptions import ClientError

from sklambda.errors import SklambdaError

MISSING_CODES = frozenset({"NoSuchKey", "NoSuchVersion", "NotFound", "404"})
PRECONDITION_CODES = frozenset({"PreconditionFailed", "412"})
# S3 answers 409 when two conditional writes of one key overlap; the caller lost the race.
CONFLICT_CODES = frozenset({"ConditionalRequestConflict", "OperationAborted", "409"})
TRANSIENT_CODES = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "RequestTimeout",
        "RequestTimeTooSkewed",
        "InternalError",
        "ServiceUnavailable",
        "500",
        "503",
    }
)


class S3Fault(Enum):
    MISSING = "missing"
    PRECONDITION_FAILED = "precondition_failed"
    CONFLICT = "conflict"
    TRANSIENT = "transient"
    OTHER = "other"


class PreconditionFailed(SklambdaError):
    """A conditional write lost: the object exists (If-None-Match) or changed (If-Match)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"s3 object {key} was written by someone else first")
        self.key = key


def error_code(error: ClientError) -> str:
    """The service's error code of any botocore ClientError (S3 or not)."""
    return str(error.response.get("Error", {}).get("Code", ""))


def classify(error: ClientError) -> S3Fault:
    code = error_code(error)
    if code in MISSING_CODES:
        return S3Fault.MISSING
    if code in PRECONDITION_CODES:
        return S3Fault.PRECONDITION_FAILED
    if code in CONFLICT_CODES:
        return S3Fault.CONFLICT
    if code in TRANSIENT_CODES:
        return S3Fault.TRANSIENT
    return S3Fault.OTHER


def is_missing(error: ClientError) -> bool:
    return classify(error) is S3Fault.MISSING


def lost_race(error: ClientError) -> bool:
    """A conditional write that did not happen because another writer came first."""
    return classify(error) in {S3Fault.PRECONDITION_FAILED, S3Fault.CONFLICT}


def is_transient(error: ClientError) -> bool:
    return classify(error) is S3Fault.TRANSIENT
