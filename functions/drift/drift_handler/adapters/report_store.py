"""Writes reports under reports/<model>/: JSON for tools, HTML for people."""

from typing import Any


class ReportStore:
    def __init__(self, s3: Any, bucket: str, root: str) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._root = root.rstrip("/")

    def put(self, relative_key: str, body: str, content_type: str) -> str:
        key = f"{self._root}/{relative_key}"
        self._s3.put_object(
            Bucket=self._bucket, Key=key, Body=body.encode(), ContentType=content_type
        )
        return f"s3://{self._bucket}/{key}"
