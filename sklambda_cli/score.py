"""`sklambda score FILE`: upload a file to incoming/, where the stack scores it, and with
--wait follow its run record and download what the run wrote.

It only talks to S3, so it works the same against a deployed stack and against the local
one `make serve` runs (point the AWS clients at it with `eval "$(make env)"`).
"""

import json
import time
from pathlib import Path
from typing import Any

from sklambda import aws
from sklambda.errors import SklambdaError
from sklambda.storage.keys import INCOMING_PREFIX, batch_run_key

FINISHED = {"succeeded", "failed"}
POLL_SECONDS = 1.0


def upload(bucket: str, path: Path, key: str | None) -> tuple[str, str | None]:
    """Put the file under incoming/; returns its key and the version S3 gave it."""
    if not path.is_file():
        raise SklambdaError(f"{path} is not a file")
    name = (key or path.name).removeprefix(INCOMING_PREFIX).lstrip("/")
    if not name:
        raise SklambdaError("the key under incoming/ must not be empty")
    full_key = INCOMING_PREFIX + name
    with path.open("rb") as body:
        response = aws.client("s3").put_object(Bucket=bucket, Key=full_key, Body=body)
    return full_key, response.get("VersionId")


def _read_record(bucket: str, key: str) -> dict[str, Any] | None:
    s3 = aws.client("s3")
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    record: dict[str, Any] = json.loads(body)
    return record


def wait_for_run(
    bucket: str, key: str, version_id: str | None, timeout_seconds: float
) -> dict[str, Any]:
    """The finished run record of this upload (this version, not an earlier one of the key)."""
    record_key = batch_run_key(key)
    deadline = time.monotonic() + timeout_seconds
    while True:
        record = _read_record(bucket, record_key)
        if record is not None and record.get("status") in FINISHED:
            recorded_version = record.get("input", {}).get("version_id")
            if version_id in (None, "null") or recorded_version == version_id:
                return record
        if time.monotonic() > deadline:
            raise SklambdaError(
                f"no finished run for s3://{bucket}/{key} after {timeout_seconds:.0f}s; "
                f"its record will be at s3://{bucket}/{record_key}"
            )
        time.sleep(POLL_SECONDS)


def download_outputs(bucket: str, record: dict[str, Any], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, location in sorted(record.get("outputs", {}).items()):
        key = location.removeprefix(f"s3://{bucket}/")
        target = directory / f"{kind}-{Path(key).name}"
        aws.client("s3").download_file(bucket, key, str(target))
        written.append(target)
    return written


def summary_line(record: dict[str, Any]) -> str:
    line = (
        f"{record['status']} ({record.get('mode', 'single')}): read {record.get('rows_read', 0)}, "
        f"scored {record.get('rows_scored', 0)}, rejected {record.get('rows_rejected', 0)}, "
        f"model {record.get('model_version') or 'none'}"
    )
    error = record.get("error")
    return f"{line}; {error['type']}: {error['message']}" if error else line


SHOWN_UNSEEN_VALUES = 3


def unseen_line(record: dict[str, Any]) -> str | None:
    """Which features had categories the model never saw (the rows were scored anyway)."""
    unseen = record.get("unseen_categories") or {}
    if not unseen:
        return None
    parts = []
    for feature, found in sorted(unseen.items()):
        values = list(found.get("values", {}).items())
        shown = ", ".join(f"{value!r:.40} {count}" for value, count in values[:SHOWN_UNSEEN_VALUES])
        more = ", ..." if found.get("values_cut") or len(values) > SHOWN_UNSEEN_VALUES else ""
        parts.append(f"{feature} in {found['rows']} rows ({shown}{more})")
    return "categories not seen in training (scored anyway): " + "; ".join(parts)


def score(
    bucket: str, path: Path, *, key: str | None, wait: bool, out: Path, timeout_seconds: float
) -> bool:
    """Returns whether the run succeeded (True without --wait once uploaded)."""
    full_key, version_id = upload(bucket, path, key)
    print(f"uploaded s3://{bucket}/{full_key}" + (f" (version {version_id})" if version_id else ""))
    if not wait:
        print(f"its run record will be at s3://{bucket}/{batch_run_key(full_key)}")
        return True
    record = wait_for_run(bucket, full_key, version_id, timeout_seconds)
    print(summary_line(record))
    unseen = unseen_line(record)
    if unseen:
        print(unseen)
    for written in download_outputs(bucket, record, out):
        print(f"wrote {written}")
    return bool(record["status"] == "succeeded")
