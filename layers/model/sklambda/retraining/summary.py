"""The few lines a person reads in the notification: what happened, and why."""

from sklambda.retraining.runs import RunRecord

_HEADLINES = {
    "promoted": "promoted {candidate} (was {champion_before})",
    "rejected": "kept {champion_before}; candidate {candidate} rejected",
    "refused": "not started",
    "failed": "FAILED; champion {champion_before} unchanged",
    "rolled_back": "ROLLED BACK {champion_before} -> {champion_after}",
    "not_rolled_back": "champion {champion_before} kept",
}


def subject(record: RunRecord) -> str:
    """SNS subjects are at most 100 ASCII characters."""
    headline = _HEADLINES[record.outcome].format(**record.model_dump())
    return f"sklambda {record.kind}: {headline}"[:100]


def message(record: RunRecord) -> str:
    lines = [subject(record), ""]
    if record.trigger is not None:
        trigger = record.trigger
        lines.append(f"Trigger: {trigger.kind.value} ({trigger.source}): {trigger.reason}")
    if record.metric and record.candidate_score is not None and record.champion_score is not None:
        lines.append(
            f"Holdout {record.holdout or ''}: {record.metric} "
            f"candidate {record.candidate_score:.4f}, champion {record.champion_score:.4f}"
        )
    lines.extend(f"- {reason}" for reason in record.reasons)
    if record.error:
        lines.append(f"Error: {record.error}")
    lines.append(f"Run {record.run_id}, {record.started_at:%Y-%m-%d %H:%M:%S}Z")
    return "\n".join(lines)
