"""Every failure becomes a JSON body whose message tells the caller what to change."""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from predict_handler.services.prediction import TooManyRowsError
from sklambda.api.models import error_document
from sklambda.errors import ModelUnavailableError
from sklambda.observability import logger
from sklambda.schema import SchemaValidationError


def _location(parts: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in parts if part != "body") or "body"


def register_error_handlers(app: APIGatewayRestResolver) -> None:
    def reply(status: int, message: str, **details: Any) -> Response:
        body = error_document(
            status, message, app.current_event.request_context.request_id, **details
        )
        return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)

    @app.exception_handler(RequestUnsupportedContentType)
    def unsupported_media_type(_: RequestUnsupportedContentType) -> Response:
        # The edge refuses bodies of other media types; an empty body can still carry one.
        return reply(415, "unsupported Content-Type: send the body as application/json (UTF-8)")

    @app.exception_handler(RequestValidationError)
    def request_invalid(error: RequestValidationError) -> Response:
        problems = error.errors()
        if any(problem.get("type") == "json_invalid" for problem in problems):
            reason = next(
                problem.get("ctx", {}).get("error", "")
                for problem in problems
                if problem.get("type") == "json_invalid"
            )
            return reply(400, f"the request body is not valid JSON: {reason}".rstrip(": "))
        details = [
            {
                "location": _location(tuple(problem.get("loc", ()))),
                "message": problem.get("msg", ""),
            }
            for problem in problems
        ]
        summary = "; ".join(f"{detail['location']}: {detail['message']}" for detail in details)
        return reply(
            422,
            f'the body must be {{"instances": [...]}} with 1 or more rows: {summary}',
            problems=details,
        )

    @app.exception_handler(SchemaValidationError)
    def rows_invalid(error: SchemaValidationError) -> Response:
        details = [
            {"row": problem.row, "feature": problem.feature, "message": problem.message}
            for problem in error.problems
        ]
        return reply(422, str(error), problems=details, problem_count=error.total)

    @app.exception_handler(TooManyRowsError)
    def too_many_rows(error: TooManyRowsError) -> Response:
        return reply(413, str(error))

    @app.exception_handler(ModelUnavailableError)
    def model_unavailable(error: ModelUnavailableError) -> Response:
        logger.warning("no model can serve", extra={"reason": str(error)})
        return reply(503, f"no model is available to serve: {error}")

    @app.not_found
    def not_found(_: NotFoundError) -> Response:
        return reply(404, f"no route for {app.current_event.http_method} {app.current_event.path}")

    @app.exception_handler(Exception)
    def unexpected(error: Exception) -> Response:
        logger.exception("unhandled error")
        return reply(
            500, f"internal error ({type(error).__name__}); quote the request id when reporting it"
        )
