"""The promotion gate decides on evidence; each rejection names its reason."""

import pytest

from sklambda.retraining.gate import Evidence, GatePolicy, judge
from sklambda.retraining.trigger import TriggerKind

POLICY = GatePolicy(
    tolerance=0.01, max_artifact_bytes=10_000_000, max_load_seconds=5, max_predict_milliseconds=50
)


def evidence(version: str = "v1", **changes) -> Evidence:
    values = {
        "version": version,
        "task": "classification",
        "features": [("a", "numeric"), ("b", "categorical")],
        "classes": [0, 1],
        "metrics": {"accuracy": 0.9, "roc_auc": 0.95},
        "artifact_bytes": 1_000_000,
        "load_seconds": 0.2,
        "predict_milliseconds": 2.0,
        **changes,
    }
    return Evidence(**values)


def test_a_candidate_within_tolerance_is_promoted_after_drift():
    verdict = judge(
        POLICY, TriggerKind.DRIFT, evidence("c", metrics={"roc_auc": 0.945}), evidence()
    )
    assert verdict.promote
    assert verdict.metric == "roc_auc"
    assert "within 0.01" in verdict.reasons[0]


def test_a_candidate_beyond_tolerance_is_rejected():
    verdict = judge(POLICY, TriggerKind.DRIFT, evidence("c", metrics={"roc_auc": 0.93}), evidence())
    assert not verdict.promote
    assert verdict.reasons == [
        "worse than the champion by more than 0.01: roc_auc 0.9300 vs champion 0.9500"
    ]


def test_a_performance_alarm_needs_a_strictly_better_candidate():
    same = judge(POLICY, TriggerKind.PERFORMANCE, evidence("c"), evidence())
    better = judge(
        POLICY, TriggerKind.PERFORMANCE, evidence("c", metrics={"roc_auc": 0.96}), evidence()
    )
    assert not same.promote
    assert "needs a better model" in same.reasons[0]
    assert better.promote


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"features": [("a", "numeric")]}, "feature schema differs"),
        ({"features": [("b", "categorical"), ("a", "numeric")]}, "feature schema differs"),
        ({"classes": [0, 1, 2]}, "classes [0, 1, 2] differ"),
        ({"artifact_bytes": 20_000_000}, "over the 10.0 MB budget"),
        ({"load_seconds": 6.0}, "over the 5.00s budget"),
        ({"predict_milliseconds": 80.0}, "over the 50.0 ms budget"),
    ],
)
def test_a_better_candidate_that_breaks_a_contract_or_budget_is_rejected(change, reason):
    verdict = judge(
        POLICY, TriggerKind.DRIFT, evidence("c", metrics={"roc_auc": 0.99}, **change), evidence()
    )
    assert not verdict.promote
    assert any(reason in text for text in verdict.reasons), verdict.reasons


def test_lower_is_better_for_regression_errors():
    def regressor(version: str, rmse: float) -> Evidence:
        return evidence(version, task="regression", classes=None, metrics={"rmse": rmse, "r2": 0.5})

    assert judge(
        POLICY, TriggerKind.PERFORMANCE, regressor("c", 9.0), regressor("v1", 10.0)
    ).promote
    assert not judge(POLICY, TriggerKind.DRIFT, regressor("c", 10.5), regressor("v1", 10.0)).promote


def test_without_auc_on_both_models_the_gate_falls_back_to_accuracy():
    verdict = judge(
        POLICY, TriggerKind.DRIFT, evidence("c", metrics={"accuracy": 0.91}), evidence()
    )
    assert verdict.metric == "accuracy"
    assert verdict.promote


def test_a_better_candidate_the_deployed_runtime_cannot_serve_is_rejected_with_that_reason():
    reason = "cannot serve under InferenceRuntime=onnx: c has no parity-passing ONNX artifact"
    better = evidence("c", metrics={"roc_auc": 0.99}, unservable=reason)
    verdict = judge(POLICY, TriggerKind.DRIFT, better, evidence())
    assert not verdict.promote
    assert verdict.reasons == [reason]
    assert verdict.candidate_score == 0.99
