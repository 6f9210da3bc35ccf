"""The S3 side of ground truth: label files as uploaded, and labelled rows kept for retraining."""

from datetime import datetime

from sklambda.storage.keys import ModelKeys
from sklambda.storage.objects import S3Objects


class LabelStore:
    def __init__(self, objects: S3Objects, keys: ModelKeys) -> None:
        self._objects = objects
        self._keys = keys

    def read_upload(self, bucket: str, key: str) -> bytes:
        return S3Objects(self._objects.s3, bucket).read_bytes(key)

    def keep_labelled(self, name: str, day: datetime, csv_text: str) -> str:
        """Writes ``labelled/<model>/dt=YYYY-MM-DD/<name>.csv``; returns its s3:// URI."""
        key = self._keys.labelled_key(day, name)
        self._objects.put(key, csv_text.encode(), content_type="text/csv")
        return self._objects.uri(key)
