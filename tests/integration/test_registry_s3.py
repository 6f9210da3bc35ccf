"""The registry against the embedded S3: immutability, conditional alias moves, verified loads."""

import threading
from pathlib import Path

import pytest

from sklambda.errors import (
    ConcurrentUpdateError,
    IntegrityError,
    ModelNotFoundError,
    RollbackUnavailableError,
    VersionExistsError,
)
from sklambda.registry.bundle import publish_bundle
from sklambda.registry.loader import ModelLoader
from sklambda.training.data import load_bundled
from sklambda.training.train import save_bundle, train_model


@pytest.fixture(scope="session")
def second_bundle(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("bundle2")
    trained = train_model(
        load_bundled("breast_cancer"), model_name="sklambda-model", hyperparameters={"max_iter": 40}
    )
    save_bundle(trained, directory)
    return directory


def test_publish_writes_artifact_and_manifest_and_lists_the_version(registry, bundle_dir):
    manifest = publish_bundle(registry, bundle_dir)
    assert registry.version_ids() == [manifest.version]
    assert registry.manifest(manifest.version) == manifest
    assert registry.alias() is None


def test_a_published_version_cannot_be_overwritten(registry, bundle_dir):
    manifest = publish_bundle(registry, bundle_dir)
    with pytest.raises(VersionExistsError):
        registry.publish(manifest, {"model.joblib": b"other bytes"})


def test_promote_keeps_the_previous_champion_and_rollback_restores_it(
    registry, bundle_dir, second_bundle
):
    first = publish_bundle(registry, bundle_dir)
    second = publish_bundle(registry, second_bundle)
    registry.promote(first.version)
    pointer = registry.promote(second.version)
    assert (pointer.version, pointer.previous) == (second.version, first.version)
    rolled = registry.rollback()
    assert (rolled.version, rolled.previous) == (first.version, second.version)


def test_rollback_without_a_previous_champion_is_refused(registry, champion):
    with pytest.raises(RollbackUnavailableError):
        registry.rollback()


def test_promoting_an_unknown_version_is_refused(registry):
    with pytest.raises(ModelNotFoundError):
        registry.promote("v-does-not-exist")


def test_expected_current_guards_against_a_stale_decision(registry, champion, second_bundle):
    second = publish_bundle(registry, second_bundle)
    with pytest.raises(ConcurrentUpdateError):
        registry.promote(second.version, expected_current="v-someone-else")
    assert registry.alias().pointer.version == champion.version


def test_of_two_concurrent_promotions_only_one_wins(registry, champion, second_bundle, monkeypatch):
    # Given two promoters that both read the champion before either writes
    second = publish_bundle(registry, second_bundle)
    both_read = threading.Barrier(2)
    real_alias = registry.alias

    def alias_then_wait(*args, **kwargs):
        state = real_alias(*args, **kwargs)
        both_read.wait(timeout=10)
        return state

    monkeypatch.setattr(registry, "alias", alias_then_wait)
    outcomes: list[str] = []

    def promote(version: str) -> None:
        try:
            registry.promote(version)
            outcomes.append("won")
        except ConcurrentUpdateError:
            outcomes.append("lost")

    # When both write
    threads = [
        threading.Thread(target=promote, args=(v,)) for v in (second.version, champion.version)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then exactly one write lands
    assert sorted(outcomes) == ["lost", "won"]


def test_a_tampered_artifact_is_never_unpickled(
    registry, verifier, champion, tmp_path, monkeypatch
):
    registry._s3.put_object(
        Bucket=registry.bucket,
        Key=registry.version_key(champion.version, "model.joblib"),
        Body=b"not the bytes the manifest hashed",
    )
    unpickled = []
    monkeypatch.setattr("joblib.load", lambda path: unpickled.append(path))
    with pytest.raises(IntegrityError, match="refusing to load it"):
        ModelLoader(registry, tmp_path, 60, verifier=verifier).load_version(champion.version)
    assert unpickled == []
    assert list(tmp_path.iterdir()) == []


def test_a_cached_file_that_changed_on_disk_is_downloaded_again(
    registry, verifier, champion, tmp_path
):
    loader = ModelLoader(registry, tmp_path, 60, verifier=verifier)
    loader.load_version(champion.version)
    (cached,) = tmp_path.iterdir()
    cached.write_bytes(b"corrupted")
    assert loader.load_version(champion.version).version == champion.version
