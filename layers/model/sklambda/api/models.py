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


class RequestProblem(BaseModel):
    """Where the body does not have the shape of a prediction request."""

    location: str
    message: str


class RowProblem(BaseModel):
    """Why one row was refused, by row index and feature (null: the row as a whole)."""

    row: int
    feature: str | None
    message: str


class ErrorDetail(BaseModel):
    status: int
    message: str
    problems: list[RowProblem | RequestProblem] | None = Field(
        default=None, description="Each problem found (bounded), on 422 answers"
    )
    problem_count: int | None = Field(
        default=None, description="How many problems the rows had in all (row problems only)"
    )


class ErrorResponse(BaseModel):
    """Every answer other than 200 has this shape."""

    error: ErrorDetail
    request_id: str


def error_document(status: int, message: str, request_id: str, **details: Any) -> dict[str, Any]:
    """The body of an ErrorResponse (built as a plain dict: errors must not fail to render)."""
    return {"error": {"status": status, "message": message, **details}, "request_id": request_id}
