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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sklambda.errors import (
    ConcurrentUpdateError,
    CorruptModelError,
    IntegrityError,
    ModelNotFoundError,
    RollbackUnavailableError,
    VersionExistsError,
)
from sklambda.registry.manifest import AliasPointer, ArtifactInfo, Manifest
from sklambda.registry.signing import SIGNATURE_FILE, ManifestSigner, ManifestVerifier
from sklambda.storage.errors import PreconditionFailed
from sklambda.storage.keys import CHAMPION, ModelKeys
from sklambda.storage.objects import S3Objects, require_conditional_writes

_CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class AliasState:
    pointer: AliasPointer
    etag: str


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


class CorruptAliasError(CorruptModelError):
    """The alias object does not parse; its ETag says when it has been rewritten."""

    def __init__(self, message: str, etag: str) -> None:
        super().__init__(message)
        self.etag = etag


def _first_problem(error: ValidationError) -> str:
    problem = error.errors()[0]
    location = ".".join(str(part) for part in problem.get("loc", ()))
    return f"{location}: {problem['msg']}" if location else str(problem["msg"])


def _parsed_manifest(body: bytes, what: str) -> Manifest:
    try:
        return Manifest.model_validate_json(body)
    except ValidationError as error:
        raise CorruptModelError(f"{what} does not parse: {_first_problem(error)}") from error


class ModelRegistry:
    def __init__(
        self,
        s3: Any,
        bucket: str,
        model_name: str,
        prefix: str = "models",
        *,
        signer: ManifestSigner | None = None,
    ) -> None:
        self._s3 = s3
        self._signer = signer
        self._objects = S3Objects(s3, bucket)
        self.bucket = bucket
        self.model_name = model_name
        self.keys = ModelKeys(model_name, model_prefix=prefix)

    def version_key(self, version: str, file: str) -> str:
        return self.keys.version_key(version, file)

    def publish(self, manifest: Manifest, files: dict[str, Path | bytes]) -> Manifest:
        """Upload a new version's files, then its manifest; refuse to overwrite a version."""
        if manifest.version is None:
            raise ValueError("a manifest needs a version before it is published")
        require_conditional_writes(self._s3)
        for name, content in files.items():
            self._put_new(self.version_key(manifest.version, name), content)
        body = manifest.model_dump_json(indent=2).encode()
        if self._signer is not None:
            self._put_new(
                self.version_key(manifest.version, SIGNATURE_FILE),
                self._signer.sign(body).model_dump_json().encode(),
            )
        self._put_new(self.keys.manifest_key(manifest.version), body)
        return manifest

    def sign_version(self, version: str) -> None:
        """Sign a version published before manifests were signed (create-only, like the rest)."""
        if self._signer is None:
            raise ValueError("this registry has no signer")
        body = self._manifest_body(version)
        self._put_new(
            self.version_key(version, SIGNATURE_FILE),
            self._signer.sign(body).model_dump_json().encode(),
        )

    def is_signed(self, version: str) -> bool:
        return self._objects.get(self.version_key(version, SIGNATURE_FILE)) is not None

    def _put_new(self, key: str, content: Path | bytes) -> None:
        try:
            if isinstance(content, Path):
                with content.open("rb") as handle:
                    self._objects.put(key, handle, if_none_match=True)
            else:
                self._objects.put(key, content, if_none_match=True)
        except PreconditionFailed as error:
            raise VersionExistsError(f"{key} already exists; versions are immutable") from error

    def manifest(self, version: str) -> Manifest:
        return self._parse_manifest(version, self._manifest_body(version))

    def verified_manifest(self, version: str, verifier: ManifestVerifier) -> Manifest:
        """The manifest, once its signature checks out; not even parsed before that."""
        body = self._manifest_body(version)
        signature = self._objects.get_bytes(self.version_key(version, SIGNATURE_FILE))
        verifier.verify(f"the manifest of {self.model_name} {version}", body, signature)
        return self._parse_manifest(version, body)

    def _manifest_body(self, version: str) -> bytes:
        body = self._objects.get_bytes(self.keys.manifest_key(version))
        if body is None:
            raise ModelNotFoundError(f"model {self.model_name!r} has no version {version!r}")
        return body

    def _parse_manifest(self, version: str, body: bytes) -> Manifest:
        manifest = _parsed_manifest(body, f"the manifest of {self.model_name} {version}")
        if manifest.version != version or manifest.model_name != self.model_name:
            raise CorruptModelError(
                f"the manifest stored as {self.model_name} {version} describes "
                f"{manifest.model_name} {manifest.version}"
            )
        return manifest

    def manifest_uri(self, version: str) -> str:
        return self._objects.uri(self.keys.manifest_key(version))

    def version_ids(self) -> list[str]:
        """Every published version (those with a manifest), oldest first."""
        found = (
            self.keys.version_of_manifest(item.key)
            for item in self._objects.list(self.keys.versions_prefix)
        )
        return sorted(version for version in found if version is not None)

    def alias(self, alias: str = CHAMPION) -> AliasState | None:
        stored = self._objects.get(self.keys.alias_key(alias))
        if stored is None:
            return None
        try:
            pointer = AliasPointer.model_validate_json(stored.body)
        except ValidationError as error:
            raise CorruptAliasError(
                f"the {alias} alias of {self.model_name} is not an alias: {_first_problem(error)}",
                stored.etag,
            ) from error
        return AliasState(pointer=pointer, etag=stored.etag)

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
        try:
            self._objects.put_json(
                self.keys.alias_key(pointer.alias),
                pointer,
                if_none_match=seen is None,
                if_match=seen.etag if seen else None,
            )
        except PreconditionFailed as error:
            raise ConcurrentUpdateError(
                f"the {pointer.alias} alias moved while {pointer.version} was being promoted"
            ) from error

    def download_verified(
        self, manifest: Manifest, directory: Path, artifact: ArtifactInfo | None = None
    ) -> Path:
        """Stream an artifact (the manifest's own unless another of its files is named) to disk,
        hashing as it arrives; only a file matching the manifest's sha256 is kept."""
        if manifest.version is None:
            raise ValueError("manifest has no version")
        artifact = artifact or manifest.artifact
        directory.mkdir(parents=True, exist_ok=True)
        suffix = Path(artifact.file).suffix
        target = directory / f"{manifest.version}-{artifact.sha256[:12]}{suffix}"
        if target.exists() and _sha256_of(target) == artifact.sha256:
            return target
        body = self._objects.body(self.keys.version_key(manifest.version, artifact.file))
        digest = hashlib.sha256()
        descriptor, partial = tempfile.mkstemp(dir=directory, suffix=".partial")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                for chunk in body.iter_chunks(_CHUNK_BYTES):
                    digest.update(chunk)
                    handle.write(chunk)
            if digest.hexdigest() != artifact.sha256:
                raise IntegrityError(
                    f"{artifact.file} of {self.model_name} {manifest.version} has sha256 "
                    f"{digest.hexdigest()[:12]}…, manifest says {artifact.sha256[:12]}…; "
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
        body = self._objects.get_bytes(self.keys.version_key(version, file))
        if body is None:
            raise ModelNotFoundError(f"model {self.model_name!r} version {version!r} has no {file}")
        return body
