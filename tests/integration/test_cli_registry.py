"""The CLI's registry commands against the embedded S3, end to end, signed as a user who holds
only the template's ModelPublisherPolicy (the policy the README tells users to attach)."""

import json
from collections.abc import Callable

import pytest

from sklambda_cli.main import main
from sklambda_local.iam import enforcement_requested, running_as
from sklambda_local.template import LocalStack


@pytest.fixture
def publisher(stack: LocalStack) -> Callable[[list[str]], int]:
    def run(arguments: list[str]) -> int:
        with running_as(stack, "ModelPublisherPolicy"):
            return main(arguments)

    return run


def test_train_publish_promote_list_and_rollback(
    registry, stack, tmp_path, capsys, monkeypatch, publisher
):
    monkeypatch.setenv("SKLAMBDA_BUCKET", registry.bucket)
    signing_key = stack.function_environment("PredictFunction")["MODEL_SIGNING_KEY"]
    monkeypatch.setenv("SKLAMBDA_SIGNING_KEY", signing_key)
    monkeypatch.setenv("SKLAMBDA_MODEL_NAME", registry.model_name)
    first, second = tmp_path / "first", tmp_path / "second"
    assert main(["train", "--dataset", "iris", "--out", str(first)]) == 0
    assert main(["train", "--dataset", "iris", "--seed", "1", "--out", str(second)]) == 0
    assert publisher(["publish", str(first), "--promote"]) == 0
    assert publisher(["publish", str(second)]) == 0
    versions = registry.version_ids()
    assert len(versions) == 2
    assert all(registry.is_signed(version) for version in versions)
    newest = max(versions, key=lambda v: registry.manifest(v).created_at)
    capsys.readouterr()

    assert publisher(["promote", newest]) == 0
    assert publisher(["models"]) == 0
    listing = capsys.readouterr().out
    assert f"{newest}  champion" in listing
    assert "previous" in listing
    assert "accuracy=" in listing

    assert publisher(["models", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [row["version"] for row in listed if row["role"] == "champion"] == [newest]
    assert {row["version"] for row in listed} == set(versions)
    assert "accuracy" in listed[0]["metrics"]

    assert publisher(["rollback"]) == 0
    assert registry.alias().pointer.version != newest


def test_a_second_rollback_explains_there_is_nothing_left(
    registry, champion, capsys, monkeypatch, publisher
):
    monkeypatch.setenv("SKLAMBDA_BUCKET", registry.bucket)
    assert publisher(["rollback"]) == 1
    assert "has no previous champion" in capsys.readouterr().err


@pytest.mark.skipif(not enforcement_requested(), reason="IAM enforcement is off")
def test_the_publisher_cannot_publish_another_model(
    registry, stack, champion, bundle_dir, capsys, monkeypatch, publisher
):
    monkeypatch.setenv("SKLAMBDA_BUCKET", registry.bucket)
    signing_key = stack.function_environment("PredictFunction")["MODEL_SIGNING_KEY"]
    monkeypatch.setenv("SKLAMBDA_SIGNING_KEY", signing_key)
    monkeypatch.setenv("SKLAMBDA_MODEL_NAME", "another-model")
    assert publisher(["publish", str(bundle_dir)]) == 1
    assert "AccessDenied" in capsys.readouterr().err
