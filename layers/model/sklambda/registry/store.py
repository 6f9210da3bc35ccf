"""S3 adapter for the model registry.

Layout under ``<prefix>/<model name>/``:
  versions/<version>/<artifact>, baseline.json, manifest.json (written last: the commit mark)
  aliases/champion.json
Versions are written with If-None-Match so they are immutable; aliases move with If-Match on
the ETag that was read, so of two concurrent promotions only one wins.
"""

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from sklambda.errors import (
    ConcurrentUpdateError,
    IntegrityError,
    ModelNotFoundError,
    RollbackUnavailableError,
    SdkTooOldError,
    VersionExistsError,
)
from sklambda.registry.manifest import MANIFEST_FILE, AliasPointer, Manifest

CHAMPION = "champion"
_CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class AliasState:
    pointer: AliasPointer
    etag: str


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _is_precondition_failure(error: ClientError) -> bool:
    return _error_code(error) in {"PreconditionFailed", "412", "ConditionalRequestConflict"}


def _is_missing(error: ClientError) -> bool:
    return _error_code(error) in {"NoSuchKey", "404", "NotFound"}


def require_conditional_writes(s3: Any) -> None:
    """The layer leaves botocore to the Lambda runtime (docs/build.md); an old one would drop
    IfMatch/IfNoneMatch with a bare parameter error, so say what is wrong instead."""
    members = s3.meta.service_model.operation_model("PutObject").input_shape.members
    if not {"IfMatch", "IfNoneMatch"} <= set(members):
        import botocore

        raise SdkTooOldError(
            f"botocore {botocore.__version__} cannot make conditional S3 writes; the registry "
            "needs botocore 1.35.x from late 2024 or newer (see docs/build.md)"
        )


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


class ModelRegistry:
    def __init__(self, s3: Any, bucket: str, model_name: str, prefix: str = "models") -> None:
        self._s3 = s3
        self.bucket = bucket
        self.model_name = model_name
        self._root = f"{prefix.strip('/')}/{model_name}"

    def version_key(self, version: str, file: str) -> str:
        return f"{self._root}/versions/{version}/{file}"

    def alias_key(self, alias: str) -> str:
        return f"{self._root}/aliases/{alias}.json"

    def publish(self, manifest: Manifest, files: dict[str, Path | bytes]) -> Manifest:
        """Upload a new version's files, then its manifest; refuse to overwrite a version."""
        if manifest.version is None:
            raise ValueError("a manifest needs a version before it is published")
        require_conditional_writes(self._s3)
        for name, content in files.items():
            self._put_new(self.version_key(manifest.version, name), content)
        body = manifest.model_dump_json(indent=2).encode()
        self._put_new(self.version_key(manifest.version, MANIFEST_FILE), body)
        return manifest

    def _put_new(self, key: str, content: Path | bytes) -> None:
        try:
            if isinstance(content, Path):
                with content.open("rb") as handle:
                    self._s3.put_object(Bucket=self.bucket, Key=key, Body=handle, IfNoneMatch="*")
            else:
                self._s3.put_object(Bucket=self.bucket, Key=key, Body=content, IfNoneMatch="*")
        except ClientError as error:
            if _is_precondition_failure(error):
                raise VersionExistsError(f"{key} already exists; versions are immutable") from error
            raise

    def manifest(self, version: str) -> Manifest:
        try:
            response = self._s3.get_object(
                Bucket=self.bucket, Key=self.version_key(version, MANIFEST_FILE)
            )
        except ClientError as error:
            if _is_missing(error):
                raise ModelNotFoundError(
                    f"model {self.model_name!r} has no version {version!r}"
                ) from error
            raise
        return Manifest.model_validate_json(response["Body"].read())

    def version_ids(self) -> list[str]:
        """Every published version (those with a manifest), oldest first."""
        found = []
        for key in self._keys(f"{self._root}/versions/"):
            if key.endswith(f"/{MANIFEST_FILE}"):
                found.append(key.rsplit("/", 2)[-2])
        return sorted(found)

    def _keys(self, prefix: str) -> Iterator[str]:
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield item["Key"]

    def alias(self, alias: str = CHAMPION) -> AliasState | None:
        try:
            response = self._s3.get_object(Bucket=self.bucket, Key=self.alias_key(alias))
        except ClientError as error:
            if _is_missing(error):
                return None
            raise
        pointer = AliasPointer.model_validate_json(response["Body"].read())
        return AliasState(pointer=pointer, etag=response["ETag"])

    def promote(
        self, version: str, *, expected_current: str | None = None, reason: str = ""
    ) -> AliasPointer:
        """Point the champion at ``version``, keeping the one it replaces for rollback.

        With ``expected_current`` the move happens only if that version still serves.
        """
        self.manifest(version)
        current = self.alias(CHAMPION)
        if expected_current is not None and (
            current is None or current.pointer.version != expected_current
        ):
            serving = current.pointer.version if current else "none"
            raise ConcurrentUpdateError(
                f"champion is {serving}, not {expected_current}; refusing to promote {version}"
            )
        previous = current.pointer.version if current else None
        pointer = AliasPointer(alias=CHAMPION, version=version, previous=previous, reason=reason)
        self._write_alias(pointer, current)
        return pointer

    def rollback(
        self, *, reason: str = "rollback", expected_current: str | None = None
    ) -> AliasPointer:
        """Serve the previous champion again; the rolled-back version becomes the previous.

        With ``expected_current`` it rolls back only if that version still serves, so a
        repeated alarm cannot swap the pair back.
        """
        current = self.alias(CHAMPION)
        if current is None or current.pointer.previous is None:
            raise RollbackUnavailableError(f"model {self.model_name!r} has no previous champion")
        if expected_current is not None and current.pointer.version != expected_current:
            raise ConcurrentUpdateError(
                f"champion is {current.pointer.version}, not {expected_current}; not rolling back"
            )
        pointer = AliasPointer(
            alias=CHAMPION,
            version=current.pointer.previous,
            previous=current.pointer.version,
            reason=reason,
        )
        self._write_alias(pointer, current)
        return pointer

    def _write_alias(self, pointer: AliasPointer, seen: AliasState | None) -> None:
        require_conditional_writes(self._s3)
        condition = {"IfMatch": seen.etag} if seen else {"IfNoneMatch": "*"}
        try:
            self._s3.put_object(
                Bucket=self.bucket,
                Key=self.alias_key(pointer.alias),
                Body=pointer.model_dump_json().encode(),
                ContentType="application/json",
                **condition,
            )
        except ClientError as error:
            if _is_precondition_failure(error):
                raise ConcurrentUpdateError(
                    f"the {pointer.alias} alias moved while {pointer.version} was being promoted"
                ) from error
            raise

    def download_verified(self, manifest: Manifest, directory: Path) -> Path:
        """Stream the artifact to disk, hashing as it arrives; only a matching file is kept."""
        if manifest.version is None:
            raise ValueError("manifest has no version")
        directory.mkdir(parents=True, exist_ok=True)
        suffix = Path(manifest.artifact.file).suffix
        target = directory / f"{manifest.version}-{manifest.artifact.sha256[:12]}{suffix}"
        if target.exists() and _sha256_of(target) == manifest.artifact.sha256:
            return target
        response = self._s3.get_object(
            Bucket=self.bucket, Key=self.version_key(manifest.version, manifest.artifact.file)
        )
        digest = hashlib.sha256()
        descriptor, partial = tempfile.mkstemp(dir=directory, suffix=".partial")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                for chunk in response["Body"].iter_chunks(_CHUNK_BYTES):
                    digest.update(chunk)
                    handle.write(chunk)
            if digest.hexdigest() != manifest.artifact.sha256:
                raise IntegrityError(
                    f"artifact of {self.model_name} {manifest.version} has sha256 "
                    f"{digest.hexdigest()[:12]}…, manifest says {manifest.artifact.sha256[:12]}…; "
                    "refusing to load it"
                )
            os.replace(partial, target)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
        return target

    def read_json(self, version: str, file: str) -> Any:
        return json.loads(self.read_bytes(version, file))

    def read_bytes(self, version: str, file: str) -> bytes:
        try:
            response = self._s3.get_object(Bucket=self.bucket, Key=self.version_key(version, file))
        except ClientError as error:
            if _is_missing(error):
                raise ModelNotFoundError(
                    f"model {self.model_name!r} version {version!r} has no {file}"
                ) from error
            raise
        body: bytes = response["Body"].read()
        return body
