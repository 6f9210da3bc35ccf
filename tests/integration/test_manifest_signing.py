"""Manifests are signed at publish with the stack's KMS key and verified before a model loads;
unsigned or badly signed ones are refused with the reason, and nothing is unpickled."""

import json

import pytest

from sklambda import aws
from sklambda.errors import ModelUnavailableError, UntrustedModelError
from sklambda.registry.bundle import publish_bundle
from sklambda.registry.loader import ModelLoader
from sklambda.registry.signing import SIGNATURE_FILE, KmsSigner, KmsVerifier
from sklambda.registry.store import ModelRegistry
from sklambda_cli.main import main
from tests.integration.conftest import load_event


def _unsigned(registry: ModelRegistry) -> ModelRegistry:
    """The same bucket written by someone without the signing key (or before signing)."""
    return ModelRegistry(registry._s3, registry.bucket, registry.model_name)


def _overwrite(registry: ModelRegistry, key: str, body: bytes) -> None:
    # A plain put, as an attacker with write access to models/ (and no bucket policy) would.
    registry._s3.put_object(Bucket=registry.bucket, Key=key, Body=body)


@pytest.fixture
def unpickled(monkeypatch) -> list[object]:
    calls: list[object] = []
    monkeypatch.setattr("joblib.load", lambda path: calls.append(path))
    return calls


def test_publish_writes_a_signature_the_verifier_accepts(registry, verifier, champion, tmp_path):
    version = champion.version or ""
    assert registry.is_signed(version)
    stored = json.loads(registry.read_bytes(version, SIGNATURE_FILE))
    assert stored["algorithm"] == "ECDSA_SHA_256"
    loaded = ModelLoader(registry, tmp_path, 60, verifier=verifier).load_version(version)
    assert loaded.version == version


def _refusal(registry, verifier, version, tmp_path) -> str:
    loader = ModelLoader(registry, tmp_path, 60, verifier=verifier)
    with pytest.raises(UntrustedModelError) as refused:
        loader.load_version(version)
    return str(refused.value)


def test_an_unsigned_manifest_is_refused_before_anything_is_unpickled(
    registry, verifier, bundle_dir, tmp_path, unpickled
):
    manifest = publish_bundle(_unsigned(registry), bundle_dir)
    reason = _refusal(registry, verifier, manifest.version, tmp_path)
    assert "has no signature" in reason
    assert "sklambda sign" in reason
    assert unpickled == []


def test_a_manifest_changed_after_signing_is_refused(
    registry, verifier, champion, tmp_path, unpickled
):
    version = champion.version or ""
    key = registry.keys.manifest_key(version)
    forged = json.loads(registry._s3.get_object(Bucket=registry.bucket, Key=key)["Body"].read())
    forged["artifact"]["sha256"] = "0" * 64
    _overwrite(registry, key, json.dumps(forged).encode())
    assert "does not match it under the stack's signing key" in _refusal(
        registry, verifier, version, tmp_path
    )
    assert unpickled == []


def test_a_signature_by_another_key_is_refused(registry, verifier, bundle_dir, tmp_path):
    kms = aws.client("kms")
    other = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    forger = ModelRegistry(
        registry._s3,
        registry.bucket,
        registry.model_name,
        signer=KmsSigner(kms, other["KeyId"]),
    )
    manifest = publish_bundle(forger, bundle_dir)
    assert "does not match" in _refusal(registry, verifier, manifest.version, tmp_path)


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        (b"{not json", "does not parse"),
        (b'{"key_id": "k", "signature": "%%%"}', "does not parse"),
        (b'{"key_id": "k", "algorithm": "RSASSA_PSS_SHA_256", "signature": "AA=="}', "uses"),
        (b'{"key_id": "k", "signature": "AAAA"}', "does not match"),
    ],
)
def test_a_garbage_signature_is_refused(
    registry, verifier, bundle_dir, tmp_path, signature, reason
):
    manifest = publish_bundle(_unsigned(registry), bundle_dir)
    _overwrite(registry, registry.version_key(manifest.version or "", SIGNATURE_FILE), signature)
    assert reason in _refusal(registry, verifier, manifest.version, tmp_path)


def test_migration_mode_serves_unsigned_but_never_badly_signed(
    registry, stack, bundle_dir, tmp_path
):
    key = stack.function_environment("PredictFunction")["MODEL_SIGNING_KEY"]
    lenient = KmsVerifier(aws.client("kms"), key, allow_unsigned=True)
    unsigned = publish_bundle(_unsigned(registry), bundle_dir)
    loader = ModelLoader(registry, tmp_path, 60, verifier=lenient)
    assert loader.load_version(unsigned.version or "").version == unsigned.version
    _overwrite(registry, registry.version_key(unsigned.version or "", SIGNATURE_FILE), b"{}")
    with pytest.raises(UntrustedModelError):
        loader.load_version(unsigned.version or "")


def test_sklambda_sign_migrates_versions_published_unsigned(
    registry, verifier, stack, bundle_dir, tmp_path, monkeypatch, capsys
):
    old = publish_bundle(_unsigned(registry), bundle_dir)
    monkeypatch.setenv("SKLAMBDA_BUCKET", registry.bucket)
    monkeypatch.setenv("SKLAMBDA_MODEL_NAME", registry.model_name)
    monkeypatch.setenv(
        "SKLAMBDA_SIGNING_KEY", stack.function_environment("PredictFunction")["MODEL_SIGNING_KEY"]
    )
    assert main(["sign", "--all"]) == 0
    assert main(["sign", "--all"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"signed {old.version}",
        f"{old.version} already signed",
    ]
    loader = ModelLoader(registry, tmp_path, 60, verifier=verifier)
    assert loader.load_version(old.version or "").version == old.version


def test_the_api_answers_503_with_the_reason_for_an_unsigned_champion(
    invoke_predict, registry, bundle_dir, unpickled
):
    manifest = publish_bundle(_unsigned(registry), bundle_dir)
    registry.promote(manifest.version or "")
    response = invoke_predict(load_event("predict_one_row"))
    assert response["statusCode"] == 503, response["body"]
    assert "has no signature" in response["json"]["error"]["message"]
    assert unpickled == []


def test_the_api_loader_refuses_unsigned_unless_the_stack_allows_it(
    invoke_predict, registry, bundle_dir, monkeypatch
):
    from predict_handler import dependencies

    manifest = publish_bundle(_unsigned(registry), bundle_dir)
    registry.promote(manifest.version or "")
    with pytest.raises(ModelUnavailableError):
        dependencies.get_loader().current()
    monkeypatch.setenv("ALLOW_UNSIGNED_MODELS", "true")
    dependencies.reset()
    assert dependencies.get_loader().current().version == manifest.version
