"""PromoteFunction: the only step that moves the champion."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from retrain_handler.dependencies import get_promote_service
from retrain_handler.models import PromoteInput
from retrain_handler.settings import get_promote_settings
from sklambda.events import accepts
from sklambda.observability import logger, tracer

get_promote_settings()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@accepts(PromoteInput, "PromoteFunction", ["the retraining state machine's task input"])
def lambda_handler(event: PromoteInput, _context: LambdaContext) -> dict[str, Any]:
    return get_promote_service().promote(event).model_dump(mode="json")
