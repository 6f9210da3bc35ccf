"""Run code in a subprocess where only a layer stack's packages can be imported.

Any installed package outside the allowed top-level names raises ModuleNotFoundError, as it
would on a function whose layers do not ship it.
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from sklambda_local.template import PROJECT_ROOT

# The first argument of a script run by `run_with_only`: the comma-separated allowed names.
ONLY_ALLOWED_PACKAGES = """
import importlib.abc, importlib.machinery, json, sys, sysconfig
allowed = set(sys.argv[1].split(","))
installed = sysconfig.get_paths()["purelib"]

class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in allowed or name != top:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and (spec.origin or "").startswith(installed):
            raise ModuleNotFoundError(f"No module named {name!r} (absent from the layers)")
        return None

sys.meta_path.insert(0, Absent())
"""


def pins(path: Path) -> dict[str, str]:
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return dict(line.split("==", 1) for line in lines if "==" in line)


def requirement_lines(path: Path) -> list[str]:
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return [line for line in lines if line and not line.startswith("-")]


def distributions(requirements: Iterable[str], *, with_dependencies: bool) -> set[str]:
    """Canonical names of the distributions pip installs for these lines (and, with
    dependencies, everything they require, markers evaluated for this interpreter)."""
    pending = [Requirement(line) for line in requirements]
    seen: set[str] = set()
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        if not with_dependencies:
            continue
        extras = requirement.extras or {""}
        for text in metadata.requires(requirement.name) or []:
            dependency = Requirement(text)
            marker = dependency.marker
            if marker is None or any(marker.evaluate({"extra": extra}) for extra in extras):
                pending.append(dependency)
    return seen


def top_level_modules(distribution_names: set[str]) -> set[str]:
    return {
        module
        for module, owners in metadata.packages_distributions().items()
        if any(canonicalize_name(owner) in distribution_names for owner in owners)
    }


def run_with_only(
    allowed: Iterable[str],
    script: str,
    arguments: Iterable[str] = (),
    *,
    python_path: Iterable[str],
    environment: Mapping[str, str] | None = None,
) -> object:
    """Run ONLY_ALLOWED_PACKAGES + script; its last printed line, parsed as JSON."""
    merged = {
        **os.environ,
        **(environment or {}),
        "PYTHONPATH": os.pathsep.join(str(PROJECT_ROOT / part) for part in python_path),
    }
    merged.pop("AWS_ENDPOINT_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", ONLY_ALLOWED_PACKAGES + script, ",".join(allowed), *arguments],
        env=merged,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
