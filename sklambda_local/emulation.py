"""Whether this machine can run the arm64 (Graviton) build that `sam deploy` ships.

On an arm64 host it runs natively. On an x86_64 host it runs under qemu user-mode emulation,
which the kernel's binfmt_misc starts for every aarch64 executable once an emulator is
registered with the F flag (the kernel opens the emulator at registration, so it also works
inside containers that do not contain it). ``scripts/container-runtime/setup.sh`` registers it
and builds the arm64 stand-in image.
"""

import shutil
import subprocess
from pathlib import Path

from sklambda_local.containers import BASE_IMAGE_REPO, PYTHON_RUNTIME_VERSION, host_architecture

DEPLOYED_ARCHITECTURE = "arm64"
BINFMT_DIR = Path("/proc/sys/fs/binfmt_misc")
# The ELF header of an aarch64 executable, as a binfmt_misc registration spells it.
AARCH64_MAGIC = "7f454c460201010000000000000000000200b700"
_SETUP_HINT = "run scripts/container-runtime/setup.sh (as root)"


def arm64_image() -> str:
    return f"{BASE_IMAGE_REPO}:{PYTHON_RUNTIME_VERSION}-{DEPLOYED_ARCHITECTURE}"


def _registration(entry: Path) -> dict[str, str]:
    fields: dict[str, str] = {}
    try:
        lines = entry.read_text().splitlines()
    except OSError:
        return fields
    for line in lines:
        name, _, value = line.partition(" ")
        fields[name.rstrip(":")] = value.strip() if value else name
    return fields


def emulation_problem(binfmt_dir: Path = BINFMT_DIR) -> str | None:
    """One line saying why aarch64 binaries cannot run here, or None when they can."""
    if host_architecture() == DEPLOYED_ARCHITECTURE:
        return None
    if not (binfmt_dir / "register").exists():
        return f"binfmt_misc is not mounted at {binfmt_dir}: {_SETUP_HINT}"
    for entry in sorted(binfmt_dir.iterdir()):
        fields = _registration(entry)
        if fields.get("enabled") != "enabled" or fields.get("magic") != AARCH64_MAGIC:
            continue
        if "F" not in fields.get("flags", ""):
            return f"the aarch64 emulator {entry.name} lacks the F flag that containers need"
        return None
    return f"no aarch64 emulator is registered with binfmt_misc: {_SETUP_HINT}"


def arm64_tier_status() -> tuple[bool, str]:
    """Whether the arm64 build can run in containers here, and if not, one line saying why."""
    problem = emulation_problem()
    if problem:
        return False, problem
    image = arm64_image()
    if shutil.which("podman"):
        exists = subprocess.run(["podman", "image", "exists", image], capture_output=True)
        if exists.returncode != 0:
            return False, f"the arm64 stand-in image {image} is not built: {_SETUP_HINT}"
    native = host_architecture() == DEPLOYED_ARCHITECTURE
    return True, f"{image} {'natively' if native else 'under qemu emulation'}"
