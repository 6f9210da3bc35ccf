"""ReportFunction: record the run, release the lock, phrase the notice."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from retrain_handler.dependencies import get_report_service
from retrain_handler.models import ReportInput
from retrain_handler.settings import get_report_settings
from sklambda.events import accepts
from sklambda.observability import logger, tracer

get_report_settings()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@accepts(ReportInput, "ReportFunction", ["the retraining state machine's task input"])
def lambda_handler(event: ReportInput, _context: LambdaContext) -> dict[str, Any]:
    return get_report_service().report(event).model_dump(mode="json")
