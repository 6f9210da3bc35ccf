"""TrainFunction: fit a candidate on fresh data and publish it."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from retrain_handler.dependencies import get_train_service
from retrain_handler.models import TrainInput
from retrain_handler.settings import get_train_settings
from sklambda.events import accepts
from sklambda.observability import logger, tracer

get_train_settings()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@accepts(TrainInput, "TrainFunction", ["the retraining state machine's task input"])
def lambda_handler(event: TrainInput, _context: LambdaContext) -> dict[str, Any]:
    return get_train_service().train(event).model_dump(mode="json")
