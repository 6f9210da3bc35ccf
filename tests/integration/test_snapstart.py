"""SnapStart hooks of PredictFunction, called in-process the way the runtime would call them."""

import random
import sys
import types

import numpy as np
import pytest

from sklambda import aws
from sklambda.registry.bundle import publish_bundle
from sklambda.snapstart import register_hooks
from sklambda.training.data import load_bundled
from sklambda.training.train import save_bundle, train_model
from sklambda_local.template import LocalStack


@pytest.fixture
def hooks(invoke_predict):
    from predict_handler import dependencies
    from predict_handler.handlers import snapstart

    return snapstart, dependencies


def test_the_template_snapshots_published_versions_of_the_predict_function(stack: LocalStack):
    properties = stack.properties("PredictFunction")
    assert properties["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    # SnapStart applies to published versions only; the alias that publishes them is global.
    assert stack.template["Globals"]["Function"]["AutoPublishAlias"]


def test_before_snapshot_leaves_the_champion_loaded(hooks, champion):
    snapstart, dependencies = hooks
    snapstart.before_snapshot()
    assert dependencies.get_loader().loaded.version == champion.version


def test_before_snapshot_without_a_champion_still_lets_the_snapshot_happen(hooks, registry):
    snapstart, dependencies = hooks
    snapstart.before_snapshot()
    assert dependencies.get_loader().loaded is None


def test_after_restore_reconnects_and_rechecks_the_champion_at_once(
    hooks, registry, champion, tmp_path
):
    snapstart, dependencies = hooks
    snapstart.before_snapshot()
    snapshot_client = aws.client("s3")
    retrained = train_model(
        load_bundled("breast_cancer"),
        model_name=registry.model_name,
        hyperparameters={"max_iter": 25},
    )
    save_bundle(retrained, tmp_path / "newer")
    newer = publish_bundle(registry, tmp_path / "newer")
    registry.promote(newer.version or "")
    # Within the TTL the snapshot's model would keep serving without the restore hook.
    assert dependencies.get_loader().current().version == champion.version

    snapstart.after_restore()

    assert aws.client("s3") is not snapshot_client
    assert dependencies.get_loader().current().version == newer.version


def test_after_restore_reseeds_the_random_generators(hooks):
    snapstart, _ = hooks
    random.seed(7)
    np.random.seed(7)
    snapshot_draws = (random.random(), np.random.random())
    random.seed(7)
    np.random.seed(7)
    snapstart.after_restore()
    assert (random.random(), np.random.random()) != snapshot_draws


def test_hooks_register_only_inside_a_snapstart_runtime(monkeypatch):
    assert register_hooks(lambda: None, lambda: None) is False
    registered: list[str] = []
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_before_snapshot = lambda hook: registered.append("before")  # type: ignore[attr-defined]
    runtime.register_after_restore = lambda hook: registered.append("after")  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)
    assert register_hooks(lambda: None, lambda: None) is True
    assert registered == ["before", "after"]
