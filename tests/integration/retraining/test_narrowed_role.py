"""A retraining step whose template role lost one prefix fails the run with AccessDenied and
leaves the champion alone (the enforced tier fails when a policy is narrowed wrongly)."""

import pytest

from sklambda_local.iam import enforcement_requested
from sklambda_local.template import LocalStack
from tests.integration.narrowing import narrowed
from tests.integration.retraining.conftest import Loop, as_csv, shuffled_labels

pytestmark = pytest.mark.skipif(not enforcement_requested(), reason="IAM enforcement is off")


@pytest.fixture
def stack() -> LocalStack:
    return narrowed(
        "TrainFunction", "WriteCandidateAndHoldout", "${ModelBucket.Arn}/retraining/holdouts/*"
    )


def test_training_without_the_holdout_prefix_is_refused(loop: Loop, breast_cancer) -> None:
    weak = loop.publish_champion(shuffled_labels(breast_cancer))
    loop.seed_training(as_csv(breast_cancer))

    execution = loop.run("alarm_drift_state_change")

    trainings = loop.invocations.of("TrainFunction")
    assert trainings
    assert all("AccessDenied" in str(call.result.get("errorMessage")) for call in trainings)
    assert execution["status"] == "FAILED" or loop.run_record(execution)["outcome"] != "promoted"
    assert loop.champion() == weak
