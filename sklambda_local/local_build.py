"""`sam build` for the tests, reused while nothing changed.

Two builds: the host-architecture variant (``FunctionArchitecture`` and ``SKLAMBDA_LAYER_ARCH``
set to match this machine, slimmed by the same layer makefile), which runs every function
without emulation; and the build `make build` makes for `sam deploy` (arm64), in the same
directories with the same command, which the arm64 tier runs under emulation.
"""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from sklambda_local.containers import ARCHITECTURE_PARAMETER, host_architecture
from sklambda_local.template import PROJECT_ROOT

BUILD_DIR = PROJECT_ROOT / ".aws-sam" / "build-local"
CACHE_DIR = PROJECT_ROOT / ".aws-sam" / "cache-local"
# `sam build`'s defaults, which `make build` uses and `sam deploy` reads.
DEPLOY_BUILD_DIR = PROJECT_ROOT / ".aws-sam" / "build"
DEPLOY_CACHE_DIR = PROJECT_ROOT / ".aws-sam" / "cache"
BUILD_INPUTS = ("template.yaml", "samconfig.toml", "layers", "functions")
_STAMP = ".sklambda-build-key"


def layer_architecture() -> str:
    """The wheel platform name the layer makefile expects for this host."""
    return "aarch64" if host_architecture() == "arm64" else "x86_64"


def tool_path() -> str:
    """PATH with this interpreter's bin first: sam build needs a python3.13 and finds sam there."""
    return f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


def sam_executable() -> str:
    found = shutil.which("sam", path=tool_path())
    if found is None:
        raise RuntimeError("the sam CLI is not installed: run `make setup`")
    return found


def _inputs_key(variant: str) -> str:
    digest = hashlib.sha256(variant.encode())
    for name in BUILD_INPUTS:
        root = PROJECT_ROOT / name
        files = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


IMAGE_REBUILD_MARKER = ".rebuild-images"


def build_key(build_dir: Path) -> str | None:
    """The inputs key of the build in ``build_dir`` (None when it was not made here)."""
    stamp = build_dir / _STAMP
    return stamp.read_text().strip() if stamp.is_file() else None


def build_for_host(build_dir: Path = BUILD_DIR) -> Path:
    """Return the host-architecture build, building first unless its inputs are unchanged."""
    return _build(
        build_dir,
        CACHE_DIR,
        variant=host_architecture(),
        parameters={ARCHITECTURE_PARAMETER: host_architecture()},
        layer_arch=layer_architecture(),
    )


def build_as_deployed() -> Path:
    """Return `make build`'s output (the template's defaults: arm64), building it if stale."""
    return _build(DEPLOY_BUILD_DIR, DEPLOY_CACHE_DIR, variant="deployed")


def _build(
    build_dir: Path,
    cache_dir: Path,
    variant: str,
    parameters: dict[str, str] | None = None,
    layer_arch: str | None = None,
) -> Path:
    key = _inputs_key(variant)
    stamp = build_dir / _STAMP
    if stamp.is_file() and stamp.read_text() == key and (build_dir / "template.yaml").is_file():
        return build_dir
    command = [
        sam_executable(),
        "build",
        "--build-dir",
        str(build_dir),
        "--cache-dir",
        str(cache_dir),
        "--cached",
        "--parallel",
    ]
    if parameters:
        command += ["--parameter-overrides", *(f"{k}={v}" for k, v in parameters.items())]
    environment = {**os.environ, "PATH": tool_path(), "SAM_CLI_TELEMETRY": "0"}
    environment.pop("SKLAMBDA_LAYER_ARCH", None)
    if layer_arch:
        environment["SKLAMBDA_LAYER_ARCH"] = layer_arch
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"sam build ({variant}) failed:\n{result.stderr[-4000:]}")
    stamp.write_text(key)
    # sam local bakes layers into an image it reuses by name; after a new build it must not.
    (build_dir / IMAGE_REBUILD_MARKER).touch()
    return build_dir
