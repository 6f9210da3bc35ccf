"""RollbackFunction: a serving alarm during the watch rolls back."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from retrain_handler.dependencies import get_rollback_service
from retrain_handler.models import RollbackInput
from retrain_handler.settings import get_rollback_settings
from sklambda.events import accepts
from sklambda.observability import logger, tracer

get_rollback_settings()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@accepts(RollbackInput, "RollbackFunction", ["the retraining state machine's task input"])
def lambda_handler(event: RollbackInput, _context: LambdaContext) -> dict[str, Any]:
    return get_rollback_service().handle(event).model_dump(mode="json")
