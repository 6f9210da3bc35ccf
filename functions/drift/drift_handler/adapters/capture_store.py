"""Reads captured records back from S3: objects written in a time window, gzip or plain.

Firehose (and the direct sink) write under ``<root>/YYYY/MM/DD/HH/``, so a window is read
by listing only the hourly prefixes it spans and keeping objects written inside it.
"""

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sklambda.monitoring.capture import CaptureRecord
from sklambda.observability import logger
from sklambda.storage.keys import ModelKeys
from sklambda.storage.objects import S3Objects

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class CapturedObject:
    key: str
    written_at: datetime


class CaptureStore:
    def __init__(self, objects: S3Objects, keys: ModelKeys) -> None:
        self._objects = objects
        self._keys = keys

    def objects_written(self, after: datetime, until: datetime) -> list[CapturedObject]:
        """Objects whose write time is in (after, until], oldest first."""
        found = []
        for prefix in self._hourly_prefixes(after, until):
            for item in self._objects.list(prefix):
                if after < item.last_modified <= until:
                    found.append(CapturedObject(item.key, item.last_modified))
        return sorted(found, key=lambda item: (item.written_at, item.key))

    def _hourly_prefixes(self, after: datetime, until: datetime) -> list[str]:
        # An object lands in the folder of the hour its buffer opened, which can be up to
        # Firehose's longest buffer interval (15 minutes) before it is written.
        hour = (after - timedelta(minutes=15)).replace(minute=0, second=0, microsecond=0)
        prefixes = []
        while hour <= until:
            prefixes.append(self._keys.capture_hour_prefix(hour))
            hour += timedelta(hours=1)
        return prefixes

    def records(self, objects: list[CapturedObject]) -> Iterator[CaptureRecord]:
        for item in objects:
            body = self._objects.read_bytes(item.key)
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
