"""BatchScoreFunction handler: validates the event and hands it to the batch service."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from batch_handler.dependencies import get_batch_service
from batch_handler.models import ACCEPTED_EVENTS, Invocation
from batch_handler.settings import get_settings
from sklambda.events import parse_event
from sklambda.observability import logger, metrics, tracer

get_settings()  # a misconfigured stack fails at cold start, not on the first file


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    invocation = parse_event(event, Invocation, "BatchScoreFunction", ACCEPTED_EVENTS)
    return get_batch_service().handle(invocation, context.get_remaining_time_in_millis)
