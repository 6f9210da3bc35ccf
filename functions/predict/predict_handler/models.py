"""Request and response bodies of the prediction API."""

from typing import Any

from pydantic import BaseModel, Field

from sklambda.registry.manifest import ClassLabel


class PredictRequest(BaseModel):
    instances: list[dict[str, Any] | list[Any]] = Field(
        min_length=1,
        description="Rows as objects keyed by feature name, or arrays in schema order",
    )


class RowWarning(BaseModel):
    row: int
    feature: str
    value: str
    message: str


class PredictResponse(BaseModel):
    predictions: list[ClassLabel]
    probabilities: list[dict[str, float]] | None = Field(
        default=None, description="Per row, the probability of each class (classifiers only)"
    )
    model_name: str
    model_version: str
    request_id: str
    warnings: list[RowWarning] | None = Field(
        default=None,
        description="Rows whose values the model did not see in training (predicted anyway)",
    )


class HealthResponse(BaseModel):
    status: str = Field(description="ok, or degraded when the champion could not be loaded")
    model_loaded: bool
    model_version: str | None = Field(description="the version that serves")
    champion_version: str | None = Field(
        default=None, description="the version the champion alias names, when it does not serve"
    )
    champion_error: str | None = Field(
        default=None, description="why the champion could not be loaded"
    )
