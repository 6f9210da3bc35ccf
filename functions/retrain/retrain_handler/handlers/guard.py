"""GuardFunction: the first state of a retraining run."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from retrain_handler.dependencies import get_guard_service
from retrain_handler.models import GuardInput
from retrain_handler.settings import get_guard_settings
from sklambda.events import accepts
from sklambda.observability import logger, tracer

get_guard_settings()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@accepts(GuardInput, "GuardFunction", ["the retraining state machine's task input"])
def lambda_handler(event: GuardInput, _context: LambdaContext) -> dict[str, Any]:
    return get_guard_service().enter(event).model_dump(mode="json")
