"""GroundTruthFunction handler: an S3 "Object Created" event for a file under labels/."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import S3EventNotificationEventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from drift_handler.dependencies import get_ground_truth_service
from drift_handler.settings import get_settings
from sklambda.observability import logger, tracer

get_settings()  # a misconfigured stack fails at cold start


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], _context: LambdaContext) -> dict[str, Any]:
    upload = parse(event=event, model=S3EventNotificationEventBridgeModel)
    detail = upload.detail
    result = get_ground_truth_service().process(
        detail.bucket.name, detail.object.key, datetime.now(UTC)
    )
    return result.model_dump(mode="json")
