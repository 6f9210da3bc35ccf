"""The loader against an in-memory registry: TTL, hot reload, and refusing bad artifacts."""

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from botocore.exceptions import EndpointConnectionError

from sklambda.errors import IncompatibleModelError, IntegrityError, ModelUnavailableError
from sklambda.registry.loader import ModelLoader
from sklambda.registry.manifest import AliasPointer, Manifest, RuntimeVersions
from sklambda.registry.store import AliasState
from sklambda.runtime.scikit_learn import check_compatible


@dataclass
class FakeRegistry:
    manifests: dict[str, Manifest]
    champion: str | None = None
    tampered: set[str] = field(default_factory=set)
    unreachable: bool = False
    model_name: str = "m"
    downloads: int = 0

    def alias(self, alias: str = "champion") -> AliasState | None:
        if self.unreachable:
            raise EndpointConnectionError(endpoint_url="https://s3")
        if self.champion is None:
            return None
        return AliasState(AliasPointer(alias=alias, version=self.champion), etag='"1"')

    def manifest(self, version: str) -> Manifest:
        return self.manifests[version]

    def verified_manifest(self, version: str, verifier: "RecordingVerifier") -> Manifest:
        verifier.verify(version, b"", b"")
        return self.manifest(version)

    def download_verified(
        self, manifest: Manifest, directory: Path, artifact: object = None
    ) -> Path:
        self.downloads += 1
        if manifest.version in self.tampered:
            raise IntegrityError("hash mismatch")
        return directory / "model.joblib"


@dataclass
class RecordingVerifier:
    """Accepts every manifest and remembers which it was asked about (KMS: integration)."""

    checked: list[str] = field(default_factory=list)

    def verify(self, what: str, body: bytes, signature: bytes | None) -> None:
        self.checked.append(what)


@dataclass
class StubEstimator:
    """What the loader needs of an unpickled object: something with predict()."""

    source: str

    def predict(self, matrix: object) -> list[int]:
        return []


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def setup(bundle_dir, monkeypatch):
    manifest = Manifest.model_validate_json((bundle_dir / "manifest.json").read_text())
    manifests = {v: manifest.model_copy(update={"version": v}) for v in ("v1", "v2")}
    registry = FakeRegistry(manifests, champion="v1")
    monkeypatch.setattr("joblib.load", lambda path: StubEstimator(path.name))
    clock = Clock()
    loader = ModelLoader(
        registry,  # type: ignore[arg-type]
        bundle_dir,
        ttl_seconds=60,
        clock=clock,
        verifier=RecordingVerifier(),
    )
    return registry, loader, clock


def test_model_is_loaded_once_and_cached_within_the_ttl(setup):
    registry, loader, clock = setup
    first = loader.current()
    clock.now = 59
    assert loader.current() is first
    assert registry.downloads == 1
    assert first.version == "v1"


def test_a_promotion_is_picked_up_after_the_ttl(setup):
    registry, loader, clock = setup
    loader.current()
    registry.champion = "v2"
    clock.now = 30
    assert loader.current().version == "v1"
    clock.now = 61
    assert loader.current().version == "v2"


def test_a_tampered_new_champion_is_refused_and_the_old_one_keeps_serving(setup):
    registry, loader, clock = setup
    loader.current()
    registry.champion = "v2"
    registry.tampered.add("v2")
    clock.now = 61
    assert loader.current().version == "v1"
    assert loader.failures == 1


def test_a_tampered_first_model_means_no_model(setup):
    registry, loader, _ = setup
    registry.tampered.add("v1")
    with pytest.raises(ModelUnavailableError, match="could not be loaded: hash mismatch"):
        loader.current()


def test_no_champion_is_a_clear_unavailable_error(setup):
    registry, loader, _ = setup
    registry.champion = None
    with pytest.raises(ModelUnavailableError, match="has no champion yet"):
        loader.current()


def test_an_unreachable_registry_keeps_the_loaded_model_serving(setup):
    registry, loader, clock = setup
    loader.current()
    registry.unreachable = True
    clock.now = 61
    assert loader.current().version == "v1"
    fresh = ModelLoader(registry, Path("."), 60, verifier=RecordingVerifier())  # type: ignore[arg-type]
    with pytest.raises(ModelUnavailableError, match="could not be read"):
        fresh.current()


def test_a_model_from_another_scikit_learn_is_refused(setup):
    registry, _, _ = setup
    manifest = registry.manifests["v1"]
    other = RuntimeVersions(python="3.12.0", scikit_learn="0.24.2", numpy="1.0", joblib="1.0")
    with pytest.raises(IncompatibleModelError, match="trained with scikit-learn"):
        check_compatible(manifest, other)


def test_an_artifact_format_this_layer_cannot_serve_is_refused_before_download(setup):
    registry, loader, _ = setup
    manifest = registry.manifests["v1"]
    artifact = manifest.artifact.model_copy(update={"format": "onnx-from-the-future"})
    registry.manifests["v1"] = manifest.model_copy(update={"artifact": artifact})
    with pytest.raises(ModelUnavailableError, match="'onnx-from-the-future' artifact"):
        loader.current()
    assert registry.downloads == 0


def test_a_model_from_another_scikit_learn_is_refused_before_download(setup):
    registry, loader, _ = setup
    manifest = registry.manifests["v1"]
    runtime = manifest.runtime.model_copy(update={"scikit_learn": "0.24.2"})
    registry.manifests["v1"] = manifest.model_copy(update={"runtime": runtime})
    with pytest.raises(ModelUnavailableError, match=r"trained with scikit-learn 0\.24\.2"):
        loader.current()
    assert registry.downloads == 0
