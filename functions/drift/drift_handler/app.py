"""DriftFunction handler: a schedule (or an on-demand invoke) starts one drift run."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from drift_handler.dependencies import get_drift_service
from drift_handler.models import DriftRunRequest
from drift_handler.settings import get_settings
from sklambda.observability import logger, tracer

get_settings()  # a misconfigured stack fails at cold start


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], _context: LambdaContext) -> dict[str, Any]:
    request = parse(event=event, model=DriftRunRequest)
    return get_drift_service().run(request.time, datetime.now(UTC)).model_dump(mode="json")
