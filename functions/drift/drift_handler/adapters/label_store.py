"""The S3 side of ground truth: label files as uploaded, and labelled rows kept for retraining."""

from datetime import datetime
from typing import Any


class LabelStore:
    def __init__(self, s3: Any, bucket: str, labelled_root: str) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._root = labelled_root

    def read_upload(self, bucket: str, key: str) -> bytes:
        return bytes(self._s3.get_object(Bucket=bucket, Key=key)["Body"].read())

    def keep_labelled(self, name: str, day: datetime, csv_text: str) -> str:
        """Writes ``labelled/<model>/dt=YYYY-MM-DD/<name>.csv``; returns its s3:// URI."""
        key = f"{self._root}/dt={day:%Y-%m-%d}/{name}.csv"
        self._s3.put_object(
            Bucket=self._bucket, Key=key, Body=csv_text.encode(), ContentType="text/csv"
        )
        return f"s3://{self._bucket}/{key}"
