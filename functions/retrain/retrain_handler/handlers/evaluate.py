"""EvaluateFunction: judge the candidate against the champion."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from retrain_handler.dependencies import get_evaluate_service
from retrain_handler.models import EvaluateInput
from retrain_handler.settings import get_evaluate_settings
from sklambda.events import accepts
from sklambda.observability import logger, tracer

get_evaluate_settings()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@accepts(EvaluateInput, "EvaluateFunction", ["the retraining state machine's task input"])
def lambda_handler(event: EvaluateInput, _context: LambdaContext) -> dict[str, Any]:
    return get_evaluate_service().evaluate(event).model_dump(mode="json")
