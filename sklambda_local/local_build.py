"""`sam build` for the host's architecture, into its own directory, reused while nothing changed.

The deployed stack is arm64; `sam local` can only run the host's architecture, so local runs
use a variant built with ``FunctionArchitecture`` and ``SKLAMBDA_LAYER_ARCH`` set to match,
slimmed by the same layer makefile.
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
BUILD_INPUTS = ("template.yaml", "samconfig.toml", "layers", "functions")
_STAMP = ".sklambda-build-key"


def layer_architecture() -> str:
    """The wheel platform name the layer makefile expects for this host."""
    return "aarch64" if host_architecture() == "arm64" else "x86_64"


def tool_path() -> str:
    """PATH with this interpreter's bin first: sam build needs a python3.12 and finds sam there."""
    return f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


def sam_executable() -> str:
    found = shutil.which("sam", path=tool_path())
    if found is None:
        raise RuntimeError("the sam CLI is not installed: run `make setup`")
    return found


def _inputs_key() -> str:
    digest = hashlib.sha256(host_architecture().encode())
    for name in BUILD_INPUTS:
        root = PROJECT_ROOT / name
        files = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


IMAGE_REBUILD_MARKER = ".rebuild-images"


def build_for_host(build_dir: Path = BUILD_DIR) -> Path:
    """Return the build directory, building first unless its inputs are unchanged."""
    key = _inputs_key()
    stamp = build_dir / _STAMP
    if stamp.is_file() and stamp.read_text() == key and (build_dir / "template.yaml").is_file():
        return build_dir
    command = [
        sam_executable(),
        "build",
        "--build-dir",
        str(build_dir),
        "--cache-dir",
        str(CACHE_DIR),
        "--cached",
        "--parallel",
        "--parameter-overrides",
        f"{ARCHITECTURE_PARAMETER}={host_architecture()}",
    ]
    environment = {
        **os.environ,
        "PATH": tool_path(),
        "SKLAMBDA_LAYER_ARCH": layer_architecture(),
        "SAM_CLI_TELEMETRY": "0",
    }
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"sam build for {host_architecture()} failed:\n{result.stderr[-4000:]}")
    stamp.write_text(key)
    # sam local bakes layers into an image it reuses by name; after a new build it must not.
    (build_dir / IMAGE_REBUILD_MARKER).touch()
    return build_dir
