"""Publishing a bundle directory, and promoting it only when nothing about it surprises."""

import os
from pathlib import Path
from typing import Any

from sklambda.errors import SklambdaError
from sklambda.registry.manifest import Manifest

DEFAULT_MODEL_NAME = "sklambda-model"


def open_registry(bucket: str | None, model_name: str | None) -> Any:
    from sklambda import aws
    from sklambda.registry.signing import KmsSigner
    from sklambda.registry.store import ModelRegistry

    bucket = bucket or os.environ.get("SKLAMBDA_BUCKET")
    if not bucket:
        raise SklambdaError("no bucket: pass bucket=... (--bucket) or set SKLAMBDA_BUCKET")
    name = model_name or os.environ.get("SKLAMBDA_MODEL_NAME", DEFAULT_MODEL_NAME)
    signing_key = os.environ.get("SKLAMBDA_SIGNING_KEY")
    if not signing_key:
        raise SklambdaError(
            "no signing key: set SKLAMBDA_SIGNING_KEY to the stack's alias/<stack>-model-signing; "
            "functions refuse unsigned manifests"
        )
    signer = KmsSigner(aws.client("kms"), signing_key)
    return ModelRegistry(aws.client("s3"), bucket, name, signer=signer)


def publish_and_promote(
    registry: Any, directory: Path, *, promote: bool, force: bool
) -> tuple[Manifest, list[str]]:
    from sklambda.registry.bundle import publish_bundle
    from sklambda_cli.publishing.promotion import PromotionRefusedError, promote_checked

    manifest = publish_bundle(registry, directory)
    lines = [f"published {manifest.model_name} {manifest.version}"]
    if manifest.onnx is not None:
        lines.append(f"onnx: {manifest.onnx.note}")
    if promote:
        try:
            lines += promote_checked(
                registry, manifest.version or "", reason="published with --promote", force=force
            )
        except PromotionRefusedError as error:
            raise PromotionRefusedError(f"published {manifest.version}, {error}") from None
    return manifest, lines
