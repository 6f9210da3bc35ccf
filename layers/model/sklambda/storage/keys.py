"""Every key and prefix of the model bucket, in one place.

The model's own objects live under per-model roots (``models/<name>/``, ``capture/<name>/``,
``reports/<name>/``, ``monitoring/<name>/``, ``labelled/<name>/``); the first segment of each
root comes from the function's environment, so the template's IAM resources and these keys are
checked against each other in the template tests. A stack serves one model, so what is
shared by the stack (batch uploads and outputs, the retraining loop's state) has fixed
prefixes.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

MODEL_NAME_PATTERN = r"^[A-Za-z0-9_.-]+$"
_MODEL_NAME = re.compile(MODEL_NAME_PATTERN)

# ---------------------------------------------------------------- shared by the stack
LABELS_PREFIX = "labels/"  # ground-truth uploads; GroundTruthFunction's trigger

INCOMING_PREFIX = "incoming/"
SCORED_PREFIX = "scored/"
REJECTED_PREFIX = "rejected/"
BATCH_RUNS_PREFIX = "runs/"
BATCH_WORK_PREFIX = "batch-work/"
MAP_RUNS_PREFIX = f"{BATCH_WORK_PREFIX}map-runs"  # the Distributed Map's ResultWriter

RETRAINING_PREFIX = "retraining/"
RETRAINING_LOCK_KEY = f"{RETRAINING_PREFIX}lock.json"
PROMOTION_WATCH_KEY = f"{RETRAINING_PREFIX}promotion-watch.json"
RETRAINING_RUNS_PREFIX = f"{RETRAINING_PREFIX}runs/"
HOLDOUTS_PREFIX = f"{RETRAINING_PREFIX}holdouts/"

CHAMPION = "champion"
MANIFEST_FILE = "manifest.json"


def _folder(prefix: str) -> str:
    """``"a"``, ``"a/"`` and ``"/a/"`` all name the folder ``"a/"``."""
    return prefix.strip("/") + "/"


def retraining_run_key(run_id: str) -> str:
    return f"{RETRAINING_RUNS_PREFIX}{run_id}.json"


def holdout_key(run_id: str) -> str:
    return f"{HOLDOUTS_PREFIX}{run_id}.jsonl"


# ---------------------------------------------------------------- batch scoring
def batch_relative(key: str) -> str:
    return key.removeprefix(INCOMING_PREFIX)


def scored_key(key: str) -> str:
    return SCORED_PREFIX + batch_relative(key)


def rejected_key(key: str) -> str:
    return REJECTED_PREFIX + batch_relative(key)


def batch_run_key(key: str) -> str:
    return f"{BATCH_RUNS_PREFIX}{batch_relative(key)}.json"


def batch_run_id(key: str, version_id: str) -> str:
    """Names one input version everywhere: its working files and (with the attempt) its state
    machine executions."""
    digest = hashlib.sha256(f"{key}\0{version_id}".encode()).hexdigest()[:32]
    return f"batch-{digest}"


def batch_execution_name(run: str, attempt: int) -> str:
    """Step Functions keeps a name for 90 days after its execution ends: one name per try."""
    return f"{run}-{attempt}"


def batch_claim_key(run: str) -> str:
    return f"{BATCH_WORK_PREFIX}{run}/claim.json"


def batch_manifest_key(run: str) -> str:
    return f"{BATCH_WORK_PREFIX}{run}/manifest.json"


def batch_part_key(run: str, kind: str, index: int) -> str:
    return f"{BATCH_WORK_PREFIX}{run}/parts/{index:06d}.{kind}"


# ---------------------------------------------------------------- one model's objects
@dataclass(frozen=True)
class ModelKeys:
    """The keys of one model; the prefixes are the first segment of each per-model root."""

    model_name: str
    model_prefix: str = "models"
    capture_prefix: str = "capture"
    reports_prefix: str = "reports"
    state_prefix: str = "monitoring"
    labelled_prefix: str = "labelled"

    def __post_init__(self) -> None:
        # Model names become key segments: a "/" or ".." would reach another model's objects.
        if not _MODEL_NAME.fullmatch(self.model_name) or self.model_name in {".", ".."}:
            raise ValueError(
                f"model name {self.model_name!r} must be letters, digits, '_', '.' or '-'"
            )

    def _root(self, prefix: str) -> str:
        return f"{_folder(prefix)}{self.model_name}/"

    # registry
    @property
    def model_root(self) -> str:
        return self._root(self.model_prefix)

    @property
    def versions_prefix(self) -> str:
        return f"{self.model_root}versions/"

    def version_key(self, version: str, file: str) -> str:
        return f"{self.versions_prefix}{version}/{file}"

    def manifest_key(self, version: str) -> str:
        return self.version_key(version, MANIFEST_FILE)

    @staticmethod
    def version_of_manifest(key: str) -> str | None:
        """The version a listed key is the manifest of, or None for any other file."""
        if not key.endswith(f"/{MANIFEST_FILE}"):
            return None
        return key.rsplit("/", 2)[-2]

    @property
    def aliases_prefix(self) -> str:
        return f"{self.model_root}aliases/"

    def alias_key(self, alias: str = CHAMPION) -> str:
        return f"{self.aliases_prefix}{alias}.json"

    # monitoring
    @property
    def capture_root(self) -> str:
        return self._root(self.capture_prefix)

    @property
    def capture_errors_root(self) -> str:
        """Where Firehose puts records it could not deliver."""
        return self._root(f"{self.capture_prefix.strip('/')}-errors")

    def capture_hour_prefix(self, hour: datetime) -> str:
        """Firehose's (and the direct sink's) hourly folder."""
        return f"{self.capture_root}{hour:%Y/%m/%d/%H}/"

    @property
    def reports_root(self) -> str:
        return self._root(self.reports_prefix)

    def report_key(self, relative_key: str) -> str:
        return f"{self.reports_root}{relative_key}"

    @property
    def state_root(self) -> str:
        return self._root(self.state_prefix)

    @property
    def drift_watermark_key(self) -> str:
        return f"{self.state_root}drift-watermark.json"

    def drift_trend_key(self, version: str) -> str:
        """The last runs' headline figures of one version: the drift report's trend, read in one
        GET instead of listing every past report."""
        return f"{self.state_root}drift-trend/{version}.json"

    @property
    def labelled_root(self) -> str:
        """Labelled rows for retraining: ground truth writes here, retraining reads here."""
        return self._root(self.labelled_prefix)

    def labelled_key(self, day: datetime, name: str) -> str:
        return f"{self.labelled_root}dt={day:%Y-%m-%d}/{name}.csv"
