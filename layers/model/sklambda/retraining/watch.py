"""The post-promotion watch: for a window after an automatic promotion, a serving alarm rolls
the champion back. The marker records what was promoted; the alias says what serves now."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class PromotionWatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: str
    previous: str
    run_id: str
    promoted_at: datetime
    watch_until: datetime
    rolled_back_at: datetime | None = None


def rollback_refusal(
    watch: PromotionWatch | None, serving: str | None, now: datetime
) -> str | None:
    """Why a serving alarm must not roll back now, or None when it must."""
    if watch is None:
        return "no automatic promotion is being watched"
    if watch.rolled_back_at is not None:
        return (
            f"{watch.version} was already rolled back at {watch.rolled_back_at:%Y-%m-%d %H:%M:%S}Z"
        )
    if now > watch.watch_until:
        return (
            f"the watch on {watch.version} ended at {watch.watch_until:%Y-%m-%d %H:%M:%S}Z; "
            "a person decides now"
        )
    if serving != watch.version:
        return f"the champion is {serving}, not the watched {watch.version}; it was moved since"
    return None
