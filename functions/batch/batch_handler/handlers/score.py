"""BatchScoreFunction handler: validates the event and hands it to the batch service."""

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from batch_handler.dependencies import get_batch_service
from batch_handler.models import Invocation
from batch_handler.settings import get_settings
from sklambda.observability import logger, metrics, tracer

get_settings()  # a misconfigured stack fails at cold start, not on the first file


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_parser(model=Invocation)
def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    return get_batch_service().handle(event, context.get_remaining_time_in_millis)
