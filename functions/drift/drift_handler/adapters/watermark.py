"""Where the previous drift run stopped, kept in one small S3 object."""

from datetime import datetime

from pydantic import BaseModel

from sklambda.storage.objects import S3Objects


class Watermark(BaseModel):
    evaluated_until: datetime
    run_id: str


class WatermarkStore:
    def __init__(self, objects: S3Objects, key: str) -> None:
        self._objects = objects
        self._key = key

    def read(self) -> Watermark | None:
        found = self._objects.get_json(self._key, Watermark)
        return found[0] if found else None

    def write(self, watermark: Watermark) -> None:
        self._objects.put_json(self._key, watermark)
