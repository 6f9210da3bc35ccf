"""DriftFunction handler: a schedule (or an on-demand invoke) starts one drift run."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from drift_handler.dependencies import get_drift_service
from drift_handler.models import DriftRunRequest
from drift_handler.settings import get_drift_settings
from sklambda.events import accepts
from sklambda.observability import logger, tracer

get_drift_settings()  # a misconfigured stack fails at cold start


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@accepts(
    DriftRunRequest,
    "DriftFunction",
    ['a "Scheduled Event" (its time ends the window)', 'an on-demand invoke {} or {"time": ...}'],
)
def lambda_handler(event: DriftRunRequest, _context: LambdaContext) -> dict[str, Any]:
    return get_drift_service().run(event.time, datetime.now(UTC)).model_dump(mode="json")
