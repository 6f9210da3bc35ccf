"""Runs the project's own Lambda handlers in-process when the embedded AWS invokes a function.

moto's Step Functions interpreter calls lambda:Invoke through boto3's default session, and moto
cannot run function code without Docker. A ``before-call`` hook on that session answers the
call instead: it finds the template function the name or ARN belongs to, gives it the
environment template.yaml declares, calls its handler and replies as Lambda would, including
``FunctionError`` when the handler raises, so Retry and Catch in the ASL behave as on AWS.
"""

import json
import os
import threading
import traceback
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from urllib.parse import unquote

import boto3
from botocore.awsrequest import AWSResponse, HTTPHeaders

from sklambda_local.functions import LambdaHandler, import_handler
from sklambda_local.template import LocalStack

_EVENT = "before-call.lambda.Invoke"


@dataclass
class InvokeContext:
    """The parts of Lambda's context object the handlers and Powertools read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 1024
    aws_request_id: str = ""
    timeout_ms: int = 900_000

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_ms


class LambdaBridge:
    def __init__(
        self,
        stack: LocalStack,
        environment_overrides: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self._stack = stack
        self._overrides = {key: dict(value) for key, value in (environment_overrides or {}).items()}
        self._handlers: dict[str, LambdaHandler] = {}
        # One invocation at a time: handlers read os.environ, which is shared by all threads.
        self._lock = threading.Lock()
        self.invocations: list[tuple[str, dict[str, Any]]] = []

    def set_overrides(self, logical_id: str, **variables: str) -> None:
        """Change a function's environment from the template's for the following invocations."""
        self._overrides.setdefault(logical_id, {}).update(variables)

    def logical_id(self, name_or_arn: str) -> str:
        wanted = unquote(name_or_arn).split(":function:")[-1].split(":")[0]
        for logical_id, resource in self._stack.resources.items():
            if resource["Type"] == "AWS::Serverless::Function" and wanted in {
                logical_id,
                self._stack.name_of(logical_id),
            }:
                return logical_id
        raise KeyError(f"template.yaml has no function named {name_or_arn}")

    def invoke(self, name_or_arn: str, event: Any) -> tuple[Any, bool]:
        """Run the handler; returns (payload, failed) the way Lambda reports them."""
        logical_id = self.logical_id(name_or_arn)
        with self._lock, self._environment(logical_id):
            handler = self._handlers.get(logical_id) or import_handler(self._stack, logical_id)
            self._handlers[logical_id] = handler
            self.invocations.append((logical_id, event))
            timeout = int(
                self._stack.template["Resources"][logical_id]["Properties"].get("Timeout", 30)
            )
            context = InvokeContext(
                function_name=self._stack.name_of(logical_id),
                invoked_function_arn=self._stack.resolve({"Fn::GetAtt": [logical_id, "Arn"]}),
                aws_request_id=str(uuid.uuid4()),
                timeout_ms=timeout * 1000,
            )
            try:
                return handler(event, context), False
            except Exception as error:
                return {
                    "errorMessage": str(error),
                    "errorType": type(error).__name__,
                    "stackTrace": traceback.format_exception(error)[-5:],
                }, True

    @contextmanager
    def _environment(self, logical_id: str) -> Iterator[None]:
        wanted = {
            **self._stack.function_environment(logical_id),
            **self._overrides.get(logical_id, {}),
        }
        saved = {key: os.environ.get(key) for key in wanted}
        os.environ.update(wanted)
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def _on_invoke(self, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        name = params["url_path"].split("/functions/", 1)[1].split("/", 1)[0]
        body = params.get("body") or b"{}"
        event = json.loads(body.decode() if isinstance(body, bytes) else body)
        payload, failed = self.invoke(name, event)
        parsed: dict[str, Any] = {
            "StatusCode": 200,
            "Payload": BytesIO(json.dumps(payload, default=str).encode()),
            "ExecutedVersion": "$LATEST",
        }
        if failed:
            parsed["FunctionError"] = "Unhandled"
        return AWSResponse(params.get("url", ""), 200, HTTPHeaders(), None), parsed

    @contextmanager
    def installed(self) -> Iterator["LambdaBridge"]:
        """Answer lambda:Invoke made through boto3's default session (moto's own clients)."""
        if boto3.DEFAULT_SESSION is None:
            boto3.setup_default_session()
        session = boto3.DEFAULT_SESSION
        assert session is not None
        session.events.register(_EVENT, self._on_invoke)  # type: ignore[arg-type]
        try:
            yield self
        finally:
            session.events.unregister(_EVENT, self._on_invoke)  # type: ignore[arg-type]
