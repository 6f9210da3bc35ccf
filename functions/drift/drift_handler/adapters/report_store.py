"""Writes reports under reports/<model>/: JSON for tools, HTML for people."""

from sklambda.storage.keys import ModelKeys
from sklambda.storage.objects import S3Objects


class ReportStore:
    def __init__(self, objects: S3Objects, keys: ModelKeys) -> None:
        self._objects = objects
        self._keys = keys

    def put(self, relative_key: str, body: str, content_type: str) -> str:
        key = self._keys.report_key(relative_key)
        self._objects.put(key, body.encode(), content_type=content_type)
        return self._objects.uri(key)
