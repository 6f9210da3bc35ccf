"""TrainFunction: fit a candidate on fresh data and publish it."""

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from retrain_handler.dependencies import train_service
from retrain_handler.models import TrainInput
from retrain_handler.settings import train_settings
from sklambda.observability import logger, tracer

train_settings()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=TrainInput)
def lambda_handler(event: TrainInput, _context: LambdaContext) -> dict[str, Any]:
    return train_service().train(event).model_dump(mode="json")
