"""Request and response bodies of the prediction API."""

from typing import Any

from pydantic import BaseModel, Field

from sklambda.registry.manifest import ClassLabel


class PredictRequest(BaseModel):
    instances: list[dict[str, Any] | list[Any]] = Field(
        min_length=1,
        description="Rows as objects keyed by feature name, or arrays in schema order",
    )


class PredictResponse(BaseModel):
    predictions: list[ClassLabel]
    probabilities: list[dict[str, float]] | None = Field(
        default=None, description="Per row, the probability of each class (classifiers only)"
    )
    model_name: str
    model_version: str
    request_id: str


class HealthResponse(BaseModel):
    status: str
    model_loaded: bool
    model_version: str | None
