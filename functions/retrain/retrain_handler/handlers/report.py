"""ReportFunction: record the run, release the lock, phrase the notice."""

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from retrain_handler.dependencies import report_service
from retrain_handler.models import ReportInput
from retrain_handler.settings import report_settings
from sklambda.observability import logger, tracer

report_settings()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=ReportInput)
def lambda_handler(event: ReportInput, _context: LambdaContext) -> dict[str, Any]:
    return report_service().report(event).model_dump(mode="json")
