"""Runs the project's own handlers when something in this process calls lambda:Invoke.

moto's Step Functions interpreter invokes Lambda tasks through boto3's default session but
cannot run Lambda code without Docker; a before-call hook answers each Invoke by calling the
handler that template.yaml names, with that function's environment from the template.
"""

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import boto3
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders

from sklambda_local.environ import environment_changed
from sklambda_local.function_logs import invoke_capturing_output
from sklambda_local.functions import import_handler
from sklambda_local.iam import running_as
from sklambda_local.local_api import LocalContext
from sklambda_local.template import LocalStack

FUNCTION_TYPES = {"AWS::Serverless::Function", "AWS::Lambda::Function"}


@dataclass
class Invocation:
    function: str
    event: Any
    result: Any


@dataclass
class InvocationLog:
    invocations: list[Invocation] = field(default_factory=list)

    def of(self, function: str) -> list[Invocation]:
        return [call for call in self.invocations if call.function == function]


def _function_ids(stack: LocalStack) -> dict[str, str]:
    """Every name an Invoke may use for a function (name, ARN, qualified ARN) → logical id."""
    names = {}
    for logical_id, resource in stack.resources.items():
        if resource["Type"] in FUNCTION_TYPES:
            name = stack.name_of(logical_id)
            arn = stack.resolve({"Fn::GetAtt": [logical_id, "Arn"]})
            names.update({name: logical_id, arn: logical_id, logical_id: logical_id})
    return names


@contextmanager
def _function_environment(
    stack: LocalStack, logical_id: str, overrides: dict[str, str]
) -> Iterator[None]:
    with environment_changed({**stack.function_environment(logical_id), **overrides}):
        yield


def run_in_process(
    stack: LocalStack,
    logical_id: str,
    event: Any,
    environment_overrides: dict[str, dict[str, str]] | None = None,
    log: InvocationLog | None = None,
) -> tuple[Any, bool]:
    """Call one template function's handler as Lambda would; returns (result, failed)."""
    overrides = (environment_overrides or {}).get(logical_id, {})
    failed = False
    with _function_environment(stack, logical_id, overrides):
        handler = import_handler(stack, logical_id)
        count = len(log.invocations) if log is not None else 0
        context = LocalContext(logical_id, f"local-{count}")
        try:
            with running_as(stack, logical_id):
                result = invoke_capturing_output(logical_id, handler, event, context)
        except Exception as error:
            result = {
                "errorType": type(error).__name__,
                "errorMessage": str(error),
                "stackTrace": [],
            }
            failed = True
        if log is not None:
            log.invocations.append(Invocation(logical_id, event, result))
    return result, failed


@contextmanager
def lambda_invokes_run_in_process(
    stack: LocalStack, environment_overrides: dict[str, dict[str, str]] | None = None
) -> Iterator[InvocationLog]:
    """While active, lambda:Invoke through boto3's default session runs handlers in-process.

    A handler that raises is reported as Lambda reports an unhandled error (FunctionError),
    so Retry and Catch in the state machine behave as they would in AWS.
    """
    functions = _function_ids(stack)
    overrides = environment_overrides or {}
    log = InvocationLog()

    def invoke(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        target = unquote(params["url_path"].split("/functions/", 1)[1].split("/invocations")[0])
        logical_id = functions.get(target) or functions.get(target.rsplit(":", 1)[0])
        if logical_id is None:
            raise KeyError(f"template.yaml has no function for {target!r}")
        body = params.get("body") or b"{}"
        event = json.loads(body if isinstance(body, bytes | str) else body.read())
        parsed: dict[str, Any] = {"StatusCode": 200, "ExecutedVersion": "$LATEST"}
        result, failed = run_in_process(stack, logical_id, event, overrides, log)
        if failed:
            parsed["FunctionError"] = "Unhandled"
        parsed["Payload"] = io.BytesIO(json.dumps(result).encode())
        return AWSResponse(params.get("url", ""), 200, HTTPHeaders(), None), parsed

    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    events = boto3.DEFAULT_SESSION.events  # type: ignore[union-attr]
    # botocore types hooks as returning None, but a before-call hook's return value replaces
    # the HTTP call, which is the point here.
    events.register(
        "before-call.lambda.Invoke",
        invoke,  # type: ignore[arg-type]
        unique_id="sklambda-lambda-bridge",
    )
    try:
        yield log
    finally:
        events.unregister("before-call.lambda.Invoke", unique_id="sklambda-lambda-bridge")
