"""RollbackFunction: a serving alarm during the watch rolls back."""

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from retrain_handler.dependencies import rollback_service
from retrain_handler.models import RollbackInput
from retrain_handler.settings import rollback_settings
from sklambda.observability import logger, tracer

rollback_settings()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=RollbackInput)
def lambda_handler(event: RollbackInput, _context: LambdaContext) -> dict[str, Any]:
    return rollback_service().handle(event).model_dump(mode="json")
