"""The promote step moves the champion only from the version it was judged against."""

import pytest

from retrain_handler.models import PromoteInput
from retrain_handler.services.promote import PromoteService
from sklambda import aws
from sklambda.errors import ConcurrentUpdateError
from sklambda.registry.bundle import publish_bundle
from sklambda.registry.manifest import Manifest
from sklambda.registry.store import ModelRegistry
from sklambda.retraining.watch import PromotionWatch
from sklambda.storage.keys import PROMOTION_WATCH_KEY
from sklambda.storage.objects import S3Objects
from sklambda.training.data import load_bundled
from sklambda.training.train import save_bundle, train_model


@pytest.fixture
def candidate(registry: ModelRegistry, champion: Manifest, tmp_path) -> str:
    trained = train_model(
        load_bundled("breast_cancer"), model_name="m", hyperparameters={"max_iter": 5}
    )
    save_bundle(trained, tmp_path / "candidate")
    return publish_bundle(registry, tmp_path / "candidate").version or ""


def _request(champion: str, candidate: str) -> PromoteInput:
    return PromoteInput(
        run_id="run-1", candidate_version=candidate, champion_version=champion, reason="better"
    )


def _service(registry: ModelRegistry) -> PromoteService:
    from datetime import timedelta

    return PromoteService(aws.client("s3"), registry.bucket, registry, timedelta(minutes=60))


def test_promoting_starts_the_watch_and_a_retry_of_the_same_step_succeeds(
    registry, champion, candidate
):
    service = _service(registry)
    first = service.promote(_request(champion.version or "", candidate))
    again = service.promote(_request(champion.version or "", candidate))
    assert first.champion == again.champion == candidate
    stored = S3Objects(aws.client("s3"), registry.bucket).get_json(
        PROMOTION_WATCH_KEY, PromotionWatch
    )
    assert stored is not None
    watch, _ = stored
    assert (watch.version, watch.previous, watch.run_id) == (candidate, champion.version, "run-1")


def test_a_champion_moved_by_someone_else_is_not_overwritten(registry, champion, candidate):
    with pytest.raises(ConcurrentUpdateError, match="was not promoted"):
        _service(registry).promote(_request("v-judged-against-earlier", candidate))
    state = registry.alias()
    assert state is not None
    assert state.pointer.version == champion.version
