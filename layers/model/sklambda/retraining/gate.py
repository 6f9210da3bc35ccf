"""The promotion gate: a candidate replaces the champion only on evidence from the same holdout."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sklambda.registry.manifest import ClassLabel, Task
from sklambda.retraining.trigger import TriggerKind

HIGHER_IS_BETTER = {
    "accuracy": True,
    "f1": True,
    "roc_auc": True,
    "r2": True,
    "mae": False,
    "rmse": False,
}
PromotionMetric = Literal["auto", "accuracy", "f1", "roc_auc", "r2", "mae", "rmse"]


class GatePolicy(BaseModel):
    model_config = ConfigDict(frozen=True)

    metric: PromotionMetric = "auto"
    tolerance: float = Field(ge=0, description="how much worse than the champion is still no worse")
    max_artifact_bytes: int = Field(ge=1)
    max_load_seconds: float = Field(gt=0)
    max_predict_milliseconds: float = Field(gt=0)


class Evidence(BaseModel):
    """What was measured about one model on the run's holdout."""

    model_config = ConfigDict(frozen=True)

    version: str
    task: Task
    features: list[tuple[str, str]]
    classes: list[ClassLabel] | None
    metrics: dict[str, float]
    artifact_bytes: int
    load_seconds: float
    predict_milliseconds: float
    # Why the deployment's inference runtime could not serve it (under onnx: no parity-passing
    # graph, with the conversion's own one-line note); None when it can.
    unservable: str | None = None


class Verdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    promote: bool
    metric: str
    candidate_score: float | None
    champion_score: float | None
    reasons: list[str]


def primary_metric(policy: GatePolicy, candidate: Evidence, champion: Evidence) -> str:
    if policy.metric != "auto":
        return policy.metric
    if candidate.task == "regression":
        return "rmse"
    both = set(candidate.metrics) & set(champion.metrics)
    return "roc_auc" if "roc_auc" in both else "accuracy"


def judge(
    policy: GatePolicy, trigger: TriggerKind, candidate: Evidence, champion: Evidence
) -> Verdict:
    """Every failed check is a reason to reject; a promotion names why it passed."""
    problems: list[str] = [candidate.unservable] if candidate.unservable else []
    if candidate.features != champion.features:
        problems.append("feature schema differs from the champion's (names, order or kinds)")
    if candidate.classes != champion.classes:
        problems.append(
            f"classes {candidate.classes} differ from the champion's {champion.classes}"
        )
    if candidate.artifact_bytes > policy.max_artifact_bytes:
        problems.append(
            f"artifact is {candidate.artifact_bytes / 1e6:.1f} MB, over the "
            f"{policy.max_artifact_bytes / 1e6:.1f} MB budget"
        )
    if candidate.load_seconds > policy.max_load_seconds:
        problems.append(
            f"loads in {candidate.load_seconds:.2f}s, "
            f"over the {policy.max_load_seconds:.2f}s budget"
        )
    if candidate.predict_milliseconds > policy.max_predict_milliseconds:
        problems.append(
            f"predicts one row in {candidate.predict_milliseconds:.1f} ms, over the "
            f"{policy.max_predict_milliseconds:.1f} ms budget"
        )
    metric = primary_metric(policy, candidate, champion)
    ours, theirs = candidate.metrics.get(metric), champion.metrics.get(metric)
    if ours is None or theirs is None:
        problems.append(f"{metric} could not be measured for both models on the holdout")
        return Verdict(
            promote=False,
            metric=metric,
            candidate_score=ours,
            champion_score=theirs,
            reasons=problems,
        )
    sign = 1.0 if HIGHER_IS_BETTER[metric] else -1.0
    gain = sign * (ours - theirs)
    compared = f"{metric} {ours:.4f} vs champion {theirs:.4f}"
    if trigger is TriggerKind.PERFORMANCE and gain <= 0:
        problems.append(f"a performance alarm needs a better model: {compared}")
    elif gain < -policy.tolerance:
        problems.append(f"worse than the champion by more than {policy.tolerance}: {compared}")
    if problems:
        return Verdict(
            promote=False,
            metric=metric,
            candidate_score=ours,
            champion_score=theirs,
            reasons=problems,
        )
    how = "better than" if gain > 0 else f"within {policy.tolerance} of"
    return Verdict(
        promote=True,
        metric=metric,
        candidate_score=ours,
        champion_score=theirs,
        reasons=[
            f"{how} the champion on the same holdout: {compared}; schema, classes and budgets hold"
        ],
    )
