"""Container runtime plumbing for the tests that run `sam local invoke` and `sam local start-api`.

A real Docker engine is used as it is. Without one, the podman stand-in prepared by
``scripts/container-runtime/setup.sh`` is served over the Docker API by ``start-service.sh``.

The Lambda container reaches the embedded AWS (a moto server on the host) through a bridge
network that the test run creates: moto listens on that network's gateway address, which is an
address of this machine, so no traffic leaves it. The function finds moto through
``AWS_ENDPOINT_URL``, which the template declares only when a parameter asks for it (absent in
production) and which ``--env-vars`` fills in, because ``sam local`` cannot resolve ``Fn::If``
with ``AWS::NoValue`` and hands the function an empty value instead.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import docker
import docker.errors

from sklambda_local.template import PROJECT_ROOT, load_template

SCRIPTS_DIR = PROJECT_ROOT / "scripts" / "container-runtime"
SETUP_SCRIPT = SCRIPTS_DIR / "setup.sh"
SERVICE_SCRIPT = SCRIPTS_DIR / "start-service.sh"

BASE_IMAGE_REPO = "public.ecr.aws/lambda/python"
PYTHON_RUNTIME_VERSION = "3.13"
ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL"
# Template parameters the local tests set; production deploys keep their defaults.
ENDPOINT_PARAMETER = "LocalEndpointUrl"
ARCHITECTURE_PARAMETER = "FunctionArchitecture"
DEFAULT_REGION = "us-east-1"

_LABEL = "org.sklambda.test"
_LABEL_PID = "org.sklambda.test.pid"
_SETUP_HINT = "run scripts/container-runtime/setup.sh (as root)"

EngineKind = Literal["docker", "podman"]


@dataclass(frozen=True)
class ContainerRuntime:
    """A Docker-API endpoint that answers, and the variables that point clients at it."""

    kind: EngineKind
    env: Mapping[str, str]

    def client(self) -> Any:
        return docker.DockerClient(base_url=self.env.get("DOCKER_HOST") or None, timeout=60)


@dataclass(frozen=True)
class ContainerNetwork:
    """A bridge network made for one test run, and how its containers reach the host."""

    name: str
    gateway: str

    @property
    def bind_address(self) -> str:
        """Where a server on the host must listen to be reachable from the network's containers.

        The gateway address belongs to this machine, so binding there (rather than 0.0.0.0)
        keeps the server off every other interface.
        """
        return self.gateway

    def endpoint_url(self, port: int) -> str:
        """The URL a container on this network uses for a server bound to ``bind_address``."""
        return f"http://{self.gateway}:{port}"


@dataclass(frozen=True)
class SamLocalSettings:
    """Everything `sam local invoke` / `sam local start-api` need beyond the function itself."""

    endpoint_url: str
    env_vars_file: Path
    docker_network: str | None
    docker_env: Mapping[str, str]
    parameters: Mapping[str, str] = field(default_factory=dict)
    region: str = DEFAULT_REGION

    def arguments(self) -> list[str]:
        """Options shared by `sam local invoke` and `sam local start-api`."""
        args = ["--skip-pull-image", "--region", self.region, "--env-vars", str(self.env_vars_file)]
        if self.docker_network:
            args += ["--docker-network", self.docker_network]
        return args + self.parameter_arguments()

    def parameter_arguments(self) -> list[str]:
        """Options `sam build` needs too, so the layer is built for the architecture that runs."""
        if not self.parameters:
            return []
        return ["--parameter-overrides", *(f"{k}={v}" for k, v in self.parameters.items())]

    def with_parameters(
        self, parameters: Mapping[str, str], function_variables: Mapping[str, Mapping[str, str]]
    ) -> SamLocalSettings:
        """The same run under further template parameters, with each function's computed
        variables as those parameters make them (written to an env-vars file of their own, as
        `--env-vars` would otherwise pin the values of the defaults)."""
        merged = {**self.parameters, **parameters}
        suffix = "-".join(f"{key}-{value}" for key, value in sorted(parameters.items()))
        env_vars = self.env_vars_file.with_name(f"{self.env_vars_file.stem}-{suffix}.json")
        shared = json.loads(self.env_vars_file.read_text())["Parameters"]
        _write_env_vars(env_vars, shared, function_variables)
        return dataclasses.replace(self, env_vars_file=env_vars, parameters=merged)

    def environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """Environment for the sam subprocess.

        SAM hands the function the credentials and region of its own session, so moto's dummy
        credentials go here. Any endpoint or profile of the caller is dropped: the endpoint
        reaches the function only through the env-vars file, never the real AWS account.
        """
        env = dict(os.environ if base is None else base)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", ENDPOINT_VARIABLE):
            env.pop(name, None)
        env.update(self.docker_env)
        env.update(
            {
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": self.region,
                "AWS_REGION": self.region,
                "SAM_CLI_TELEMETRY": "0",
            }
        )
        return env


def host_architecture() -> str:
    """The Lambda architecture name of this machine; emulating the other one is not possible."""
    machine = platform.machine().lower()
    return "arm64" if machine in ("aarch64", "arm64") else "x86_64"


def base_image() -> str:
    return f"{BASE_IMAGE_REPO}:{PYTHON_RUNTIME_VERSION}-{host_architecture()}"


def _real_docker_answers(env: Mapping[str, str]) -> bool:
    try:
        client = docker.DockerClient(base_url=env.get("DOCKER_HOST") or None, timeout=10)
        try:
            version = client.version()
        finally:
            client.close()
    except (docker.errors.DockerException, OSError):
        return False
    names = " ".join(str(c.get("Name", "")) for c in version.get("Components") or [])
    return "podman" not in names.lower()


def _service(command: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SERVICE_SCRIPT), command, *arguments],
        capture_output=True,
        text=True,
        check=False,
    )


def _docker_host_line(output: str) -> dict[str, str]:
    for line in output.splitlines():
        if line.startswith("DOCKER_HOST="):
            return {"DOCKER_HOST": line.removeprefix("DOCKER_HOST=")}
    raise RuntimeError(f"start-service.sh printed no DOCKER_HOST line: {output!r}")


def container_runtime_status() -> tuple[bool, str]:
    """Whether `sam local` can run containers here, and if not, one line saying why."""
    if _real_docker_answers(os.environ):
        return True, "a Docker engine answers"
    if platform.system() != "Linux":
        return False, "no Docker engine answers (the podman stand-in is Linux only)"
    if shutil.which("podman") is None:
        return False, f"no Docker engine answers and podman is not installed: {_SETUP_HINT}"
    if shutil.which("curl") is None:
        return False, f"curl is not installed: {_SETUP_HINT}"
    image = base_image()
    exists = subprocess.run(["podman", "image", "exists", image], capture_output=True, check=False)
    if exists.returncode != 0:
        return False, f"the stand-in image {image} is not built: {_SETUP_HINT}"
    return True, f"podman with the stand-in image {image}"


@contextlib.contextmanager
def container_runtime() -> Iterator[ContainerRuntime]:
    """Yield a runtime that answers; the podman service is stopped on exit only when this
    session started it and no other session still uses it."""
    if _real_docker_answers(os.environ):
        docker_host = os.environ.get("DOCKER_HOST")
        yield ContainerRuntime("docker", {"DOCKER_HOST": docker_host} if docker_host else {})
        return
    available, reason = container_runtime_status()
    if not available:
        raise RuntimeError(reason)
    # Registered as a user of the shared service: another test session running at the same
    # time keeps it up, and this one stops it only if it started it and nobody else uses it.
    user = str(os.getpid())
    started = _service("acquire", user)
    if started.returncode != 0:
        raise RuntimeError(f"podman API service did not start: {started.stderr.strip()}")
    try:
        yield ContainerRuntime("podman", _docker_host_line(started.stdout))
    finally:
        _service("release", user)


def _can_bind(address: str) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((address, 0))
        except OSError:
            return False
    return True


def _pid_alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _remove_network(client: Any, network: Any) -> None:
    for container in client.containers.list(all=True, filters={"label": _LABEL}):
        if container.labels.get(_LABEL) == network.name:
            container.remove(force=True)
    network.reload()
    # start-api may still be tearing down its warm containers; detach whatever is left.
    for container in network.containers:
        with contextlib.suppress(docker.errors.APIError):
            network.disconnect(container, force=True)
    with contextlib.suppress(docker.errors.NotFound):
        network.remove()


def _remove_stale_networks(client: Any) -> None:
    for network in client.networks.list(filters={"label": _LABEL}):
        if not _pid_alive(network.attrs.get("Labels", {}).get(_LABEL_PID, "")):
            _remove_network(client, network)


def _gateway(network: Any) -> str:
    network.reload()
    for config in network.attrs.get("IPAM", {}).get("Config") or []:
        gateway = config.get("Gateway", "")
        if gateway and ":" not in gateway:
            return str(gateway)
    raise RuntimeError(f"network {network.name} has no IPv4 gateway")


@contextlib.contextmanager
def container_network(
    runtime: ContainerRuntime, timeout: float = 30.0
) -> Iterator[ContainerNetwork]:
    """Create a bridge network for this test run; remove it (and what is left on it) on exit."""
    client = runtime.client()
    try:
        _remove_stale_networks(client)
        name = f"sklambda-test-{os.getpid()}-{secrets.token_hex(3)}"
        labels = {_LABEL: name, _LABEL_PID: str(os.getpid())}
        # podman's internal bridges still let containers reach the gateway (checked); the
        # same is not certain for every Docker version, so Docker gets a plain bridge.
        network = client.networks.create(
            name, driver="bridge", internal=runtime.kind == "podman", labels=labels
        )
        try:
            gateway = _gateway(network)
            if not _can_bind(gateway):
                # netavark brings the bridge (and its gateway address) up only while a
                # container is attached, and SAM attaches its containers only per invoke.
                client.containers.run(
                    base_image(),
                    ["infinity"],
                    entrypoint="sleep",
                    name=f"{name}-anchor",
                    network=name,
                    labels=labels,
                    detach=True,
                )
            deadline = time.monotonic() + timeout
            while not _can_bind(gateway):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gateway {gateway} of {name} is no address of this host")
                time.sleep(0.1)
            yield ContainerNetwork(name=name, gateway=gateway)
        finally:
            _remove_network(client, network)
    finally:
        client.close()


def sam_local_settings(
    runtime: ContainerRuntime,
    network: ContainerNetwork | None,
    endpoint_url: str,
    directory: Path,
    parameters: Mapping[str, str] | None = None,
    region: str = DEFAULT_REGION,
    variables: Mapping[str, str] | None = None,
    function_variables: Mapping[str, Mapping[str, str]] | None = None,
) -> SamLocalSettings:
    """Write the env-vars file into ``directory`` and return the settings that use it.

    ``variables`` are further template-declared variables for every function, and
    ``function_variables`` those of one function (by logical id), such as resource names that
    `sam local` cannot resolve from a ``!Ref`` the way CloudFormation does.

    ``parameters`` is added to the template parameters the local run always sets: the endpoint
    (so a SAM that does resolve the condition still declares the variable) and the host's
    architecture (SAM adds an emulator binary for the function's architecture, and the other
    one cannot execute here).
    """
    env_vars = directory / "sam-env-vars.json"
    overrides = {**(variables or {}), ENDPOINT_VARIABLE: endpoint_url}
    _write_env_vars(env_vars, overrides, function_variables or {})
    return SamLocalSettings(
        endpoint_url=endpoint_url,
        env_vars_file=env_vars,
        docker_network=network.name if network else None,
        docker_env=runtime.env,
        parameters={
            ENDPOINT_PARAMETER: endpoint_url,
            ARCHITECTURE_PARAMETER: host_architecture(),
            **(parameters or {}),
        },
        region=region,
    )


def _write_env_vars(
    path: Path,
    shared: Mapping[str, str],
    function_variables: Mapping[str, Mapping[str, str]],
) -> None:
    """`--env-vars` format: one object per function, and ``Parameters`` for every function."""
    per_function = {name: dict(values) for name, values in function_variables.items()}
    path.write_text(json.dumps({**per_function, "Parameters": dict(shared)}, indent=2))


def functions_without_endpoint_variable(template: Path) -> list[str]:
    """Functions that would not get AWS_ENDPOINT_URL, and so would call the real AWS endpoints.

    `sam local --env-vars` sets only variables that the template declares.
    """
    document = load_template(template)
    globals_env = document.get("Globals", {}).get("Function", {}).get("Environment", {})
    declared_globally = ENDPOINT_VARIABLE in (globals_env.get("Variables") or {})
    missing = []
    for logical_id, resource in (document.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        variables = resource.get("Properties", {}).get("Environment", {}).get("Variables") or {}
        if not declared_globally and ENDPOINT_VARIABLE not in variables:
            missing.append(str(logical_id))
    return missing
