"""Manifests signed with the stack's KMS key: the sha256 in a manifest proves the artifact's
integrity, the signature proves the manifest came from a role allowed to publish.

The signature is a separate object beside the manifest (``manifest.sig``), written before it,
over the manifest's exact bytes, so no canonical JSON is needed. KMS signs the SHA-256 digest
(MessageType DIGEST), which keeps any manifest size under KMS's 4 KiB message limit.
"""

import base64
import binascii
import hashlib
from typing import Any, Protocol

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, ValidationError

from sklambda.errors import UntrustedModelError
from sklambda.storage.errors import error_code

SIGNATURE_FILE = "manifest.sig"
ALGORITHM = "ECDSA_SHA_256"
_INVALID_SIGNATURE_CODES = frozenset({"KMSInvalidSignatureException"})


class ManifestSignature(BaseModel):
    model_config = ConfigDict(frozen=True)

    key_id: str
    algorithm: str = ALGORITHM
    signature: str  # base64 of the DER signature KMS returned


class ManifestSigner(Protocol):
    def sign(self, body: bytes) -> ManifestSignature: ...


class ManifestVerifier(Protocol):
    def verify(self, what: str, body: bytes, signature: bytes | None) -> None: ...


class KmsSigner:
    def __init__(self, kms: Any, key_id: str) -> None:
        self._kms = kms
        self.key_id = key_id

    def sign(self, body: bytes) -> ManifestSignature:
        response = self._kms.sign(
            KeyId=self.key_id,
            Message=hashlib.sha256(body).digest(),
            MessageType="DIGEST",
            SigningAlgorithm=ALGORITHM,
        )
        return ManifestSignature(
            key_id=str(response["KeyId"]),
            signature=base64.b64encode(response["Signature"]).decode(),
        )


class KmsVerifier:
    """Checks a manifest's signature with kms:Verify before anything in it is used.

    ``allow_unsigned`` lets manifests without a signature through (with a warning) while old
    versions are migrated; a signature that is present and wrong is refused either way.
    """

    def __init__(self, kms: Any, key_id: str, *, allow_unsigned: bool = False) -> None:
        self._kms = kms
        self.key_id = key_id
        self.allow_unsigned = allow_unsigned

    def verify(self, what: str, body: bytes, signature: bytes | None) -> None:
        if signature is None:
            if self.allow_unsigned:
                # Imported here: Powertools reads its settings when observability is imported,
                # and publishing tools import this module before a function's environment is set.
                from sklambda.observability import logger

                logger.warning("serving an unsigned manifest", extra={"manifest": what})
                return
            raise UntrustedModelError(
                f"{what} has no signature ({SIGNATURE_FILE}); sign it with `sklambda sign` "
                "from a publishing role, or re-publish it"
            )
        try:
            parsed = ManifestSignature.model_validate_json(signature)
            raw = base64.b64decode(parsed.signature, validate=True)
        except (ValidationError, binascii.Error) as error:
            raise UntrustedModelError(f"the signature of {what} does not parse") from error
        if parsed.algorithm != ALGORITHM:
            raise UntrustedModelError(
                f"the signature of {what} uses {parsed.algorithm!r}, not {ALGORITHM}"
            )
        mismatch = (
            f"the signature of {what} does not match it under the stack's signing key; "
            "refusing to load it"
        )
        try:
            response = self._kms.verify(
                KeyId=self.key_id,
                Message=hashlib.sha256(body).digest(),
                MessageType="DIGEST",
                Signature=raw,
                SigningAlgorithm=ALGORITHM,
            )
        except ClientError as error:
            # KMS itself raises on a signature that does not verify.
            if error_code(error) in _INVALID_SIGNATURE_CODES:
                raise UntrustedModelError(mismatch) from error
            raise
        if not response.get("SignatureValid"):
            raise UntrustedModelError(mismatch)
