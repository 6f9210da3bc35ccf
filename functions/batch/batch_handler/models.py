"""What BatchScoreFunction receives (validated at the edge) and the records it writes."""

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.parser.models import (
    EventBridgeModel,
    S3EventNotificationEventBridgeModel,
    S3Model,
)
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from batch_handler.formats import FileFormat


class ObjectRef(BaseModel):
    """One version of one uploaded object."""

    model_config = ConfigDict(frozen=True)

    bucket: str
    key: str
    version_id: str | None = None
    size: int = Field(ge=0)
    etag: str = ""
    sequencer: str | None = None


class ObjectCreatedEvent(S3EventNotificationEventBridgeModel):
    detail_type: Literal["Object Created"] = Field(alias="detail-type")

    def object_ref(self) -> ObjectRef:
        item = self.detail.object
        return ObjectRef(
            bucket=self.detail.bucket.name,
            key=item.key,
            version_id=item.version_id,
            size=int(item.size or 0),
            etag=item.etag,
            sequencer=item.sequencer,
        )


class S3NotificationEvent(S3Model):
    """S3's own event notification (the `Records` shape): one or more created objects."""

    def object_refs(self) -> list[ObjectRef]:
        refs = []
        for record in self.Records:
            item = record.s3.object
            if item is None or not record.eventName.startswith("ObjectCreated:"):
                continue
            refs.append(
                ObjectRef(
                    bucket=record.s3.bucket.name,
                    # S3 URL-encodes keys in notifications (a space arrives as "+" or %20).
                    key=unquote_plus(item.key),
                    version_id=item.versionId,
                    size=int(item.size or 0),
                    etag=item.eTag or "",
                    sequencer=item.sequencer,
                )
            )
        return refs


class SweepEvent(EventBridgeModel):
    detail_type: Literal["Scheduled Event"] = Field(alias="detail-type")
    # EventBridge always sends "0"; SAM's generated scheduled event leaves it out.
    version: str = "0"


class RunPlan(BaseModel):
    """Everything a chunk or the merge needs to know about a large-file run."""

    run_id: str
    source: ObjectRef
    format: FileFormat
    header_line: str | None
    model_version: str
    data_start: int = Field(ge=0, description="Byte offset of the first data line")
    started_at: datetime
    tolerated_failure_percentage: float = Field(default=0, ge=0, le=100)
    attempt: int = Field(default=1, ge=1, description="Runs of this object version so far")


class ChunkSpec(BaseModel):
    index: int = Field(ge=0)
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class ChunkTask(BaseModel):
    action: Literal["score_chunk"]
    run: RunPlan
    chunk: ChunkSpec


class MergeTask(BaseModel):
    action: Literal["merge"]
    run: RunPlan
    chunk_count: int = Field(ge=1)


class FailureTask(BaseModel):
    action: Literal["record_failure"]
    run: RunPlan
    error: dict[str, Any] = Field(default_factory=dict)


S3_NOTIFICATION = "s3 notification"
# What the function tells a caller it accepts when an event is none of these.
ACCEPTED_EVENTS = (
    'an S3 "Object Created" event from EventBridge',
    "an S3 event notification (Records)",
    'a "Scheduled Event" (the sweep)',
    "a state machine task (score_chunk, merge, record_failure)",
)


def _kind(event: Any) -> str | None:
    if isinstance(event, dict):
        if "Records" in event:
            return S3_NOTIFICATION
        return event.get("action") or event.get("detail-type")
    return None


# An S3 Object Created event, a scheduled sweep, or a task from the state machine.
Invocation = Annotated[
    Annotated[ObjectCreatedEvent, Tag("Object Created")]
    | Annotated[S3NotificationEvent, Tag(S3_NOTIFICATION)]
    | Annotated[SweepEvent, Tag("Scheduled Event")]
    | Annotated[ChunkTask, Tag("score_chunk")]
    | Annotated[MergeTask, Tag("merge")]
    | Annotated[FailureTask, Tag("record_failure")],
    Discriminator(_kind),
]


class RunError(BaseModel):
    type: str
    message: str
    retryable: bool


MAX_UNSEEN_VALUES = 20


class UnseenCategories(BaseModel):
    """Scored rows whose value of one feature was not seen in training (scored anyway, as the
    API scores and warns). ``values`` lists the most frequent such values with their counts, at
    most MAX_UNSEEN_VALUES; when ``values_cut`` says more were found, those counts are lower
    bounds. ``rows`` is always exact."""

    rows: int = 0
    values: dict[str, int] = Field(default_factory=dict)
    values_cut: bool = False


def add_unseen(
    into: dict[str, UnseenCategories], found: Mapping[str, UnseenCategories | Mapping[str, int]]
) -> dict[str, UnseenCategories]:
    """``into`` with each feature's rows and values added (counts of a block, or a summary)."""
    for feature, more in found.items():
        if isinstance(more, UnseenCategories):
            counts: Mapping[str, int] = more.values
            rows, cut = more.rows, more.values_cut
        else:
            counts, rows, cut = more, sum(more.values()), False
        current = into.get(feature) or UnseenCategories()
        merged = Counter(current.values)
        merged.update(counts)
        kept = dict(merged.most_common(MAX_UNSEEN_VALUES))
        into[feature] = UnseenCategories(
            rows=current.rows + rows,
            values=kept,
            values_cut=current.values_cut or cut or len(merged) > len(kept),
        )
    return into


class ChunkSummary(BaseModel):
    """Written by each chunk beside its parts; the merge trusts only chunks that have one."""

    index: int
    lines: int = Field(description="Physical lines in the chunk, blank ones included")
    rows_read: int
    rows_scored: int
    rows_rejected: int
    blank_lines: int
    scored_bytes: int
    seconds: float
    unseen_categories: dict[str, UnseenCategories] = Field(default_factory=dict)


class RunSummary(BaseModel):
    """runs/<key>.json. rows_read == rows_scored + rows_rejected whenever status is succeeded."""

    status: Literal["succeeded", "failed", "in_progress"]
    input: ObjectRef
    format: FileFormat | None = None
    mode: Literal["single", "distributed"] = "single"
    rows_read: int = 0
    rows_scored: int = 0
    rows_rejected: int = 0
    blank_lines: int = 0
    unseen_categories: dict[str, UnseenCategories] = Field(
        default_factory=dict,
        description="Per feature, scored rows with a category not seen in training",
    )
    model_name: str
    model_version: str | None = None
    outputs: dict[str, str] = Field(default_factory=dict)
    started_at: datetime
    finished_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    duration_seconds: float = 0.0
    rows_per_second: float = 0.0
    chunks: int | None = None
    failed_chunks: list[ChunkSpec] = Field(default_factory=list)
    execution_arn: str | None = None
    error: RunError | None = None
    attempt: int = Field(default=1, ge=1, description="Runs of this object version so far")
    previous_error: RunError | None = Field(
        default=None, description="Why the attempt before this one failed"
    )
