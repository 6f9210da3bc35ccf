"""Runs the real SAM CLI (`sam local invoke`, `sam local start-api`) against an embedded AWS.

The embedded AWS is a moto server bound to the gateway of a network made for this run (see
``containers``), with the template's bucket created from its own properties.
"""

import contextlib
import dataclasses
import json
import logging
import os
import re
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import boto3
import yaml
from moto.server import ThreadedMotoServer

from sklambda.registry.signing import KmsSigner
from sklambda.registry.store import ModelRegistry
from sklambda_local.containers import (
    SamLocalSettings,
    container_network,
    container_runtime,
    sam_local_settings,
)
from sklambda_local.local_build import (
    IMAGE_REBUILD_MARKER,
    build_key,
    sam_executable,
    tool_path,
)
from sklambda_local.provision import provision_bucket, provision_signing_key
from sklambda_local.template import LOCAL_REGION, LocalStack

_NO_VALUE = object()
# Lambda's longest function timeout.
EMULATED_TIMEOUT_SECONDS = 900
_REPORT = re.compile(
    r"REPORT RequestId:.*?(?:Init Duration:\s*(?P<init>[\d.]+)\s*ms.*?)?"
    r"\bDuration:\s*(?P<duration>[\d.]+)\s*ms"
)


@dataclass(frozen=True)
class Report:
    """The figures of Lambda's REPORT log line; init is None on a warm start."""

    init_ms: float | None
    duration_ms: float


@dataclass(frozen=True)
class Invocation:
    payload: Any
    report: Report | None
    logs: str


@dataclass(frozen=True)
class LocalAws:
    """A moto server reachable from function containers, and how to run `sam local` at it."""

    endpoint_url: str
    settings: SamLocalSettings
    stack: LocalStack
    bucket: str
    signing_key: str

    def client(self, service: str) -> Any:
        return _client(service, self.endpoint_url)

    def registry(self) -> ModelRegistry:
        signer = KmsSigner(self.client("kms"), self.signing_key)
        return ModelRegistry(
            self.client("s3"), self.bucket, self.stack.parameter("ModelName"), signer=signer
        )

    def with_parameters(self, **parameters: str) -> Self:
        """The same embedded AWS, with functions invoked under other template parameters
        (``InferenceRuntime="onnx"``): the layers and variables those parameters pick."""
        stack = LocalStack(
            template=self.stack.template,
            parameter_overrides={**self.stack.parameter_overrides, **parameters},
            stack_name=self.stack.stack_name,
        )
        variables = {name: stack.computed_variables(name) for name in stack.function_ids}
        settings = self.settings.with_parameters(parameters, variables)
        return dataclasses.replace(self, stack=stack, settings=settings)


def _client(service: str, endpoint_url: str) -> Any:
    """Dummy credentials: whatever the caller has configured never reaches the embedded AWS."""
    return boto3.session.Session().client(  # type: ignore[call-overload]
        service,
        endpoint_url=endpoint_url,
        region_name=LOCAL_REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's placeholder
    )


def parse_report(logs: str) -> Report | None:
    match = _REPORT.search(logs)
    if match is None:
        return None
    init = match.group("init")
    return Report(float(init) if init else None, float(match.group("duration")))


@contextlib.contextmanager
def local_aws(directory: Path) -> Iterator[LocalAws]:
    """Container runtime, a test network, moto on its gateway, and the template's bucket."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with container_runtime() as runtime, container_network(runtime) as network:
        server = ThreadedMotoServer(ip_address=network.bind_address, port=0, verbose=False)
        server.start()
        try:
            endpoint = network.endpoint_url(server.get_host_and_port()[1])
            stack = LocalStack()
            bucket = provision_bucket(stack, _client("s3", endpoint), "ModelBucket")
            signing_key = provision_signing_key(stack, _client("kms", endpoint))
            settings = sam_local_settings(
                runtime,
                network,
                endpoint,
                directory,
                function_variables={
                    function: stack.computed_variables(function) for function in stack.function_ids
                },
            )
            yield LocalAws(endpoint, settings, stack, bucket, signing_key)
        finally:
            server.stop()


def invoke(
    aws: LocalAws,
    build_dir: Path,
    function: str,
    event: Path,
    template: Path | None = None,
    timeout: float = 300.0,
) -> Invocation:
    """`sam local invoke`: the function's response, and its REPORT figures."""
    command = [
        sam_executable(),
        "local",
        "invoke",
        function,
        "--template",
        str(resolved_template(aws, template or build_dir / "template.yaml")),
        "--event",
        str(event),
        *aws.settings.arguments(),
    ]
    marker = build_dir / IMAGE_REBUILD_MARKER
    if marker.exists():
        command.append("--force-image-build")
    result = subprocess.run(
        command,
        env=aws.settings.environment(_base_environment()),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"sam local invoke {function} failed:\n{result.stderr[-4000:]}")
    marker.unlink(missing_ok=True)
    response = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "null"
    return Invocation(json.loads(response), parse_report(result.stderr), result.stderr)


def emulated_template(build_dir: Path) -> Path:
    """The built template with every function's timeout at Lambda's maximum, written beside it.

    Under emulation a cold start takes minutes where Lambda takes seconds. Only the timeout
    changes: the code and layer directories the copy points at are the build's own.
    """
    template = yaml.safe_load((build_dir / "template.yaml").read_text())
    function_globals = template.setdefault("Globals", {}).setdefault("Function", {})
    function_globals["Timeout"] = EMULATED_TIMEOUT_SECONDS
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource.setdefault("Properties", {})["Timeout"] = EMULATED_TIMEOUT_SECONDS
    rendered = build_dir / "template.emulated.yaml"
    rendered.write_text(yaml.safe_dump(template, sort_keys=False))
    return rendered


def _base_environment() -> dict[str, str]:
    return {**os.environ, "PATH": tool_path()}


def _resolve_conditions(node: Any, stack: LocalStack) -> Any:
    if isinstance(node, list):
        items = [_resolve_conditions(item, stack) for item in node]
        return [item for item in items if item is not _NO_VALUE]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Fn::If"}:
        condition, when_true, when_false = node["Fn::If"]
        return _resolve_conditions(when_true if stack.condition(condition) else when_false, stack)
    if node == {"Ref": "AWS::NoValue"}:
        return _NO_VALUE
    resolved = {key: _resolve_conditions(value, stack) for key, value in node.items()}
    return {key: value for key, value in resolved.items() if value is not _NO_VALUE}


def resolved_template(aws: LocalAws, source: Path) -> Path:
    """The built template with every Fn::If decided for this run's parameters, written beside it.

    CloudFormation decides them; `sam local` (1.148) does not, in two places that matter:
    a function's ``Layers: [!If [ServeWithOnnx, !Ref OnnxLayer, !Ref ModelLayer]]`` gets both
    layers baked into its image (so under ``InferenceRuntime=onnx`` scikit-learn would still be
    importable), and `sam local start-api` crashes on the API's conditional DefaultAuthorizer
    (``TypeError`` while linking authorizers).
    """
    template = yaml.safe_load(source.read_text())
    stack = LocalStack(template=template, parameter_overrides=aws.settings.parameters)
    resolved = _resolve_conditions(template, stack)
    key = build_key(source.parent)
    if key:
        resolved = _layer_ids_of_build(resolved, key)
    rendered = source.with_name(f"{source.stem}.resolved.yaml")
    rendered.write_text(yaml.safe_dump(resolved, sort_keys=False))
    return rendered


def _layer_ids_of_build(template: dict[str, Any], key: str) -> dict[str, Any]:
    """Layer logical ids suffixed with the build's inputs key.

    `sam local` bakes a function's layers into an image tagged by the layers' logical ids
    alone, and the container service is shared by every checkout on the machine: without the
    key, a run would invoke whatever layer another checkout's build baked last.
    """
    resources = template.get("Resources", {})
    suffix = f"Build{key[:12]}"
    renamed = {
        logical_id: f"{logical_id}{suffix}"
        for logical_id, resource in resources.items()
        if resource.get("Type") == "AWS::Serverless::LayerVersion"
    }

    def rename(node: Any) -> Any:
        if isinstance(node, list):
            return [rename(item) for item in node]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Ref"} and node["Ref"] in renamed:
            return {"Ref": renamed[node["Ref"]]}
        if set(node) == {"Fn::GetAtt"} and node["Fn::GetAtt"][0] in renamed:
            return {"Fn::GetAtt": [renamed[node["Fn::GetAtt"][0]], *node["Fn::GetAtt"][1:]]}
        return {name: rename(value) for name, value in node.items()}

    template = rename(template)
    template["Resources"] = {
        renamed.get(logical_id, logical_id): resource
        for logical_id, resource in template["Resources"].items()
    }
    return template


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def start_api(aws: LocalAws, build_dir: Path, timeout: float = 120.0) -> Iterator[str]:
    """`sam local start-api` on a loopback port; yields its base URL and stops it on exit."""
    port = _free_port()
    command = [
        sam_executable(),
        "local",
        "start-api",
        "--template",
        str(resolved_template(aws, build_dir / "template.yaml")),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *aws.settings.arguments(),
    ]
    # A file, not a pipe: nobody reads start-api's log while it serves, and a full pipe blocks it.
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            command,
            env=aws.settings.environment(_base_environment()),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            _wait_for_port(process, port, timeout, log)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_port(process: subprocess.Popen[str], port: int, timeout: float, log: Any) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"sam local start-api exited:\n{log.read()[-4000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"sam local start-api did not listen on port {port} within {timeout:g} s")


def post_json(url: str, body: Any, timeout: float = 120.0) -> tuple[int, Any]:
    request = urllib.request.Request(  # noqa: S310 - the URL is start-api on loopback
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")
