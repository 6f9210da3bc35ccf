"""Garbage in the registry: 503 with the reason when nothing serves, the loaded model otherwise,
and the same bad bytes are not fetched again until the alias moves."""

import hashlib
import json
import pickle
import shutil
import sys
import types
from pathlib import Path

import pytest

from sklambda.errors import ModelUnavailableError
from sklambda.registry.bundle import publish_bundle
from sklambda.registry.loader import ModelLoader
from sklambda.registry.manifest import Manifest
from sklambda.registry.signing import SIGNATURE_FILE
from sklambda.registry.store import ModelRegistry
from tests.integration.conftest import load_event


@pytest.fixture
def instant_ttl(invoke_predict, monkeypatch):
    from predict_handler import dependencies

    monkeypatch.setenv("MODEL_CACHE_TTL_SECONDS", "0")
    dependencies.reset()


def _put(registry: ModelRegistry, key: str, body: bytes) -> None:
    registry._s3.put_object(Bucket=registry.bucket, Key=key, Body=body)


def _bundle_with_artifact(bundle_dir: Path, target: Path, artifact: bytes) -> Path:
    """A copy of the bundle whose artifact is ``artifact``, with a manifest that matches it."""
    shutil.copytree(bundle_dir, target)
    manifest = Manifest.model_validate_json((target / "manifest.json").read_text())
    (target / manifest.artifact.file).write_bytes(artifact)
    fixed = manifest.model_copy(
        update={
            "artifact": manifest.artifact.model_copy(
                update={"sha256": hashlib.sha256(artifact).hexdigest(), "size_bytes": len(artifact)}
            )
        }
    )
    (target / "manifest.json").write_text(fixed.model_dump_json())
    return target


def _pickle_needing_a_missing_module() -> bytes:
    module = types.ModuleType("sklambda_plugin_not_installed")

    class Estimator:
        pass

    Estimator.__module__ = module.__name__
    Estimator.__qualname__ = "Estimator"
    module.Estimator = Estimator  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    try:
        return pickle.dumps(Estimator())
    finally:
        del sys.modules[module.__name__]


def _garbage(registry: ModelRegistry, bundle_dir: Path, tmp_path: Path, case: str) -> None:
    """Make the champion alias name something that cannot serve."""
    alias_key = registry.keys.alias_key("champion")
    if case == "alias-not-json":
        _put(registry, alias_key, b'{"alias": "champion", "version": ')
        return
    if case == "alias-without-version":
        _put(registry, alias_key, json.dumps({"alias": "champion"}).encode())
        return
    if case == "manifest-not-json":
        # Signed by the publishing role, so it fails at parsing, past the signature check.
        version = "v20260101T000000Z-deadbeef"
        body = b"{not json"
        signature = registry._signer.sign(body)  # type: ignore[union-attr]
        _put(
            registry,
            registry.version_key(version, SIGNATURE_FILE),
            signature.model_dump_json().encode(),
        )
        _put(registry, registry.keys.manifest_key(version), body)
        _put(registry, alias_key, json.dumps({"alias": "champion", "version": version}).encode())
        return
    artifact = {
        "artifact-not-a-pickle": b"these bytes match their sha256 and are no pickle",
        "artifact-needs-missing-module": _pickle_needing_a_missing_module(),
        "artifact-not-an-estimator": pickle.dumps({"weights": [1, 2, 3]}),
    }[case]
    bundle = _bundle_with_artifact(bundle_dir, tmp_path / case, artifact)
    manifest = publish_bundle(registry, bundle)
    _put(
        registry,
        alias_key,
        json.dumps({"alias": "champion", "version": manifest.version}).encode(),
    )


CASES = {
    "alias-not-json": "alias of sklambda-model is not an alias",
    "alias-without-version": "version: Field required",
    "manifest-not-json": "does not parse",
    "artifact-not-a-pickle": "does not unpickle",
    "artifact-needs-missing-module": "needs the module 'sklambda_plugin_not_installed'",
    "artifact-not-an-estimator": "unpickles to a dict, which cannot predict",
}


@pytest.mark.parametrize(("case", "reason"), CASES.items())
def test_garbage_with_nothing_loaded_is_a_503_with_the_reason(
    invoke_predict, registry, bundle_dir, tmp_path, case, reason
):
    _garbage(registry, bundle_dir, tmp_path, case)
    response = invoke_predict(load_event("predict_one_row"))
    assert response["statusCode"] == 503, response["body"]
    assert reason in response["json"]["error"]["message"]


@pytest.mark.parametrize("case", CASES)
def test_garbage_after_a_champion_loaded_keeps_it_serving(
    invoke_predict, instant_ttl, registry, champion, bundle_dir, tmp_path, case
):
    event = load_event("predict_one_row")
    assert invoke_predict(event)["json"]["model_version"] == champion.version
    _garbage(registry, bundle_dir, tmp_path, case)
    for _ in range(2):
        response = invoke_predict(event)
        assert response["statusCode"] == 200, response["body"]
        assert response["json"]["model_version"] == champion.version


def _count_gets(registry: ModelRegistry) -> list[str]:
    keys: list[str] = []
    registry._s3.meta.events.register(
        "provide-client-params.s3.GetObject", lambda params, **_: keys.append(params["Key"])
    )
    return keys


def test_a_bad_champion_is_fetched_once_until_the_alias_moves(
    registry, verifier, bundle_dir, tmp_path, champion
):
    loader = ModelLoader(registry, tmp_path / "cache", ttl_seconds=0, verifier=verifier)
    _garbage(registry, bundle_dir, tmp_path, "artifact-not-a-pickle")
    bad = registry.alias().pointer.version
    gets = _count_gets(registry)
    for _ in range(3):
        with pytest.raises(ModelUnavailableError, match="does not unpickle"):
            loader.current()
    artifact_key = registry.version_key(bad, "model.joblib")
    assert gets.count(registry.keys.manifest_key(bad)) == 1
    assert gets.count(artifact_key) == 1
    assert gets.count(registry.keys.alias_key("champion")) == 3

    # Promoting the same bad version again rewrites the alias: it is checked once more.
    registry.promote(bad, reason="try again")
    manifest_key = registry.keys.manifest_key(bad)
    before = gets.count(manifest_key)
    with pytest.raises(ModelUnavailableError, match="does not unpickle"):
        loader.current()
    assert gets.count(manifest_key) == before + 1
    # A good champion is served at once after the alias moves to it.
    registry.promote(champion.version or "")
    assert loader.current().version == champion.version


def test_within_the_ttl_a_refusal_is_answered_without_a_registry_call(
    registry, verifier, bundle_dir, tmp_path
):
    loader = ModelLoader(
        registry, tmp_path / "cache", ttl_seconds=60, clock=lambda: 100.0, verifier=verifier
    )
    _garbage(registry, bundle_dir, tmp_path, "manifest-not-json")
    with pytest.raises(ModelUnavailableError, match="does not parse"):
        loader.current()
    gets = _count_gets(registry)
    with pytest.raises(ModelUnavailableError, match="does not parse"):
        loader.current()
    assert gets == []
