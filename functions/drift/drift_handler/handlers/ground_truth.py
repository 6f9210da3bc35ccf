"""GroundTruthFunction handler: an S3 "Object Created" event for a file under labels/."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from drift_handler.dependencies import get_ground_truth_service
from drift_handler.models import LabelFileUploaded
from drift_handler.settings import get_ground_truth_settings
from sklambda.events import accepts
from sklambda.observability import logger, tracer

get_ground_truth_settings()  # a misconfigured stack fails at cold start


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@accepts(
    LabelFileUploaded,
    "GroundTruthFunction",
    ['an S3 "Object Created" event from EventBridge for a file under labels/'],
)
def lambda_handler(event: LabelFileUploaded, _context: LambdaContext) -> dict[str, Any]:
    upload = event.detail
    result = get_ground_truth_service().process(
        upload.bucket.name, upload.object.key, datetime.now(UTC)
    )
    return result.model_dump(mode="json")
