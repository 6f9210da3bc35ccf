"""Reads captured records back from S3: objects written in a time window, gzip or plain.

Firehose (and the direct sink) write under ``<root>/YYYY/MM/DD/HH/``, so a window is read
by listing only the hourly prefixes it spans and keeping objects written inside it.
"""

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sklambda.monitoring.capture import CaptureRecord
from sklambda.observability import logger

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class CapturedObject:
    key: str
    written_at: datetime


class CaptureStore:
    def __init__(self, s3: Any, bucket: str, root: str) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._root = root.rstrip("/")

    def objects_written(self, after: datetime, until: datetime) -> list[CapturedObject]:
        """Objects whose write time is in (after, until], oldest first."""
        found = []
        paginator = self._s3.get_paginator("list_objects_v2")
        for prefix in self._hourly_prefixes(after, until):
            for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    written = item["LastModified"]
                    if after < written <= until:
                        found.append(CapturedObject(item["Key"], written))
        return sorted(found, key=lambda item: (item.written_at, item.key))

    def _hourly_prefixes(self, after: datetime, until: datetime) -> list[str]:
        # An object lands in the folder of the hour its buffer opened, which can be up to
        # Firehose's longest buffer interval (15 minutes) before it is written.
        hour = (after - timedelta(minutes=15)).replace(minute=0, second=0, microsecond=0)
        prefixes = []
        while hour <= until:
            prefixes.append(f"{self._root}/{hour:%Y/%m/%d/%H}/")
            hour += timedelta(hours=1)
        return prefixes

    def records(self, objects: list[CapturedObject]) -> Iterator[CaptureRecord]:
        for item in objects:
            body = self._s3.get_object(Bucket=self._bucket, Key=item.key)["Body"].read()
            if body.startswith(_GZIP_MAGIC):
                body = gzip.decompress(body)
            for number, line in enumerate(body.splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    yield CaptureRecord.model_validate_json(line)
                except ValueError as error:
                    logger.warning(
                        "skipping an unreadable capture record",
                        extra={"key": item.key, "line": number, "error": str(error)[:200]},
                    )
