"""Where the previous drift run stopped, kept in one small S3 object."""

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel


class Watermark(BaseModel):
    evaluated_until: datetime
    run_id: str


class WatermarkStore:
    def __init__(self, s3: Any, bucket: str, key: str) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._key = key

    def read(self) -> Watermark | None:
        try:
            response = self._s3.get_object(Bucket=self._bucket, Key=self._key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                return None
            raise
        return Watermark.model_validate_json(response["Body"].read())

    def write(self, watermark: Watermark) -> None:
        self._s3.put_object(
            Bucket=self._bucket,
            Key=self._key,
            Body=watermark.model_dump_json().encode(),
            ContentType="application/json",
        )
