"""What a registered model version records about itself."""

import platform
from datetime import UTC, datetime
from importlib.metadata import version as installed_version
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from sklambda.schema import FeatureSchema
from sklambda.storage.keys import MANIFEST_FILE as MANIFEST_FILE

Task = Literal["classification", "regression"]
# bool first: a model fitted on True/False must keep them, not become 1/0.
ClassLabel = bool | int | float | str
ARTIFACT_FILE = "model.joblib"
# The artifact format names the runtime that serves it (sklambda.runtime.registry); manifests
# written before the field existed are scikit-learn pickles.
SKLEARN_JOBLIB = "sklearn-joblib"
# The same pipeline converted at publish for ONNX Runtime (sklambda.training.onnx_export).
ONNX_FILE = "model.onnx"
ONNX_FORMAT = "onnx"
BASELINE_FILE = "baseline.json"


class RuntimeVersions(BaseModel):
    """Library versions the artifact was pickled with; unpickling needs the same scikit-learn."""

    model_config = ConfigDict(frozen=True)

    python: str
    scikit_learn: str
    numpy: str
    joblib: str

    @classmethod
    def current(cls) -> Self:
        return cls(
            python=platform.python_version(),
            scikit_learn=installed_version("scikit-learn"),
            numpy=installed_version("numpy"),
            joblib=installed_version("joblib"),
        )


class ArtifactInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str = ARTIFACT_FILE
    format: str = Field(default=SKLEARN_JOBLIB, pattern=r"^[a-z0-9][a-z0-9-]*$")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size_bytes: int = Field(ge=1)


class OnnxParity(BaseModel):
    """How the ONNX graph's outputs compared with the pickle's on the holdout rows.

    A classifier passes with identical labels and every probability within ``tolerance``
    (absolute); a regressor passes with every value within ``tolerance`` relative to
    max(1, |value|), since float32 keeps about 7 significant digits whatever the scale.
    """

    model_config = ConfigDict(frozen=True)

    rows: int
    label_mismatches: int
    max_abs_difference: float
    max_relative_difference: float
    tolerance: float
    passed: bool


class OnnxConversion(BaseModel):
    """What happened when the version was converted for ONNX Runtime.

    ``artifact`` is present only when the graph was built and passed parity; ``note`` says in
    one line what happened either way.
    """

    model_config = ConfigDict(frozen=True)

    artifact: ArtifactInfo | None = None
    parity: OnnxParity | None = None
    note: str
    converter: dict[str, str] = Field(default_factory=dict)


class BaselineInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str = BASELINE_FILE
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class TrainingDataInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: str
    fingerprint: str
    rows: int
    holdout_rows: int
    target: str


class HoldoutInfo(BaseModel):
    """Which rows the manifest's metrics were measured on; metrics from different holdouts
    cannot be compared."""

    model_config = ConfigDict(frozen=True)

    source: str
    rows: int
    fingerprint: str | None = None


class Manifest(BaseModel):
    """The manifest.json stored beside each artifact; a version exists once this is written."""

    model_config = ConfigDict(frozen=True)

    model_name: str
    version: str | None = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    task: Task
    classes: list[ClassLabel] | None = None
    feature_schema: FeatureSchema
    metrics: dict[str, float]
    holdout: HoldoutInfo | None = None
    training_data: TrainingDataInfo
    artifact: ArtifactInfo
    baseline: BaselineInfo | None = None
    runtime: RuntimeVersions
    # None for versions published before conversion existed.
    onnx: OnnxConversion | None = None
    estimator: str
    # module.Class of the estimator at the pipeline's end, and its own parameters.
    estimator_class: str | None = None
    hyperparameters: dict[str, Any] = Field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """What callers of GET /model see: enough to know what serves, nothing internal."""
        return {
            "model_name": self.model_name,
            "version": self.version,
            "created_at": self.created_at.isoformat(),
            "task": self.task,
            "classes": self.classes,
            "features": [
                feature.model_dump(exclude_none=True) for feature in self.feature_schema.features
            ],
            "metrics": self.metrics,
            "metrics_holdout": self.holdout.model_dump() if self.holdout else None,
            "estimator": self.estimator,
            "runtime": self.runtime.model_dump(),
            "sha256": self.artifact.sha256,
            "onnx": self.onnx.note if self.onnx else None,
        }


class AliasPointer(BaseModel):
    """The champion alias: which version serves, and which served before it."""

    model_config = ConfigDict(frozen=True)

    alias: str
    version: str
    previous: str | None = None
    updated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    reason: str = ""


def new_version_id(sha256: str, now: datetime | None = None) -> str:
    """Sortable by time, unique by content: v20261124T013359Z-1a2b3c4d."""
    moment = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"v{moment}-{sha256[:8]}"
