"""Request and response bodies of the prediction API."""

from typing import Any

from pydantic import BaseModel, Field

from sklambda.registry.manifest import ClassLabel


class PredictRequest(BaseModel):
    instances: list[dict[str, Any] | list[Any]] = Field(
        min_length=1,
        description="Rows as objects keyed by feature name, or arrays in schema order",
    )

    def __repr__(self) -> str:
        # Powertools' REST resolver formats the route arguments into a debug message on every
        # call, even with DEBUG off; the full repr of 100 rows cost about 0.8 ms of each call.
        return f"PredictRequest(<{len(self.instances)} instances>)"


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
