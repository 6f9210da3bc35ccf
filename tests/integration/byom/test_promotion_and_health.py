"""Promotion refuses surprises; a champion that cannot load is visible in /health and /model."""

import json

import pytest

from sklambda.registry.bundle import publish_bundle
from sklambda.registry.manifest import Manifest
from sklambda.training.data import load_bundled
from sklambda.training.train import save_bundle, train_model
from sklambda_cli.main import main
from sklambda_local.iam import running_as
from tests.integration.conftest import load_event


@pytest.fixture
def publisher(stack):
    """The CLI as a user holding only the template's ModelPublisherPolicy."""

    def run(arguments: list[str]) -> int:
        with running_as(stack, "ModelPublisherPolicy"):
            return main(arguments)

    return run


def _bundle(tmp_path, name: str, dataset: str, **changes) -> Manifest:
    trained = train_model(load_bundled(dataset), model_name="m", hyperparameters={"max_iter": 10})
    directory = tmp_path / name
    manifest = save_bundle(trained, directory)
    if changes:
        manifest = manifest.model_copy(update=changes)
        (directory / "manifest.json").write_text(manifest.model_dump_json())
    return manifest


@pytest.mark.parametrize(
    ("dataset", "changes", "reason"),
    [
        ("iris", {}, "classes"),
        ("diabetes", {}, "task regression replaces classification"),
        ("breast_cancer", {"runtime": {"python": "3.12", "scikit_learn": "1.5.0",
                                        "numpy": "2", "joblib": "1"}}, "scikit-learn 1.5.0"),
    ],
)  # fmt: skip
def test_promote_refuses_a_surprise_unless_forced(
    registry, champion, tmp_path, capsys, dataset, changes, reason, publisher
):
    if "runtime" in changes:
        changes = {"runtime": champion.runtime.model_copy(update={"scikit_learn": "1.5.0"})}
    _bundle(tmp_path, "other", dataset, **changes)
    version = publish_bundle(registry, tmp_path / "other").version or ""
    options = ["--bucket", registry.bucket, "--model-name", registry.model_name]

    assert publisher(["promote", version, *options]) == 1
    err = capsys.readouterr().err
    assert reason in err
    assert "--force" in err
    assert err.count("\n") == 1
    assert registry.alias().pointer.version == champion.version

    assert publisher(["promote", version, "--force", *options]) == 0
    assert registry.alias().pointer.version == version


def test_a_champion_that_cannot_load_is_reported_while_the_previous_one_serves(
    registry, champion, invoke_predict, tmp_path, stack
):
    invoke_predict(load_event("predict_one_row"))
    foreign = champion.runtime.model_copy(update={"scikit_learn": "1.5.0"})
    _bundle(tmp_path, "old", "breast_cancer", runtime=foreign)
    version = publish_bundle(registry, tmp_path / "old").version or ""
    registry.promote(version, reason="forced in the test")
    from predict_handler import dependencies
    from predict_handler.settings import get_settings
    from sklambda.registry.factory import serving_registries

    # As when the TTL has passed: the next call re-reads the champion alias (as the function).
    with running_as(stack, "PredictFunction"):
        dependencies.get_loader().reconnect(*serving_registries(get_settings()))

    served = invoke_predict(load_event("predict_one_row"))
    assert served["json"]["model_version"] == champion.version
    health = invoke_predict(load_event("get_health"))["json"]
    assert health["status"] == "degraded"
    assert health["model_version"] == champion.version
    assert health["champion_version"] == version
    assert "scikit-learn 1.5.0" in health["champion_error"]
    model = invoke_predict(load_event("get_model"))["json"]
    assert model["champion_not_serving"]["version"] == version


def test_an_incomplete_manifest_is_one_line(registry, tmp_path, capsys, publisher):
    (tmp_path / "model.joblib").write_bytes(b"x")
    (tmp_path / "manifest.json").write_text(json.dumps({"model_name": "m", "task": "regression"}))
    assert publisher(["publish", str(tmp_path), "--bucket", registry.bucket]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "incomplete" in err
