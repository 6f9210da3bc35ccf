"""Which top-level modules a Lambda running the layer can import."""

import re
from functools import cache
from importlib.metadata import PackageNotFoundError, packages_distributions, requires

# The Lambda Python runtime ships these beside the layer.
LAMBDA_RUNTIME = (
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "urllib3",
    "python-dateutil",
    "six",
)
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")
_EXTRA_MARKER = re.compile(r"extra\s*==\s*['\"]([^'\"]+)['\"]")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _closure() -> set[str]:
    """Distributions the sklambda package requires (the layer's pins), with their own needs."""
    seen: set[str] = set()
    pending: list[tuple[str, set[str]]] = [("sklambda", set())]
    pending += [(name, set()) for name in LAMBDA_RUNTIME]
    while pending:
        name, extras = pending.pop()
        key = _normal(name)
        if key in seen:
            continue
        seen.add(key)
        try:
            needs = requires(name) or []
        except PackageNotFoundError:
            continue
        for need in needs:
            requirement, _, marker = need.partition(";")
            wanted = _EXTRA_MARKER.search(marker)
            if wanted and wanted.group(1) not in extras:
                continue
            match = _REQUIREMENT.match(requirement)
            if match:
                inner = {extra.strip() for extra in (match.group(2) or "").split(",") if extra}
                pending.append((match.group(1), inner))
    return seen


@cache
def layer_modules() -> frozenset[str]:
    distributions = _closure()
    return frozenset(
        module
        for module, owners in packages_distributions().items()
        if any(_normal(owner) in distributions for owner in owners)
    ) | {"sklambda"}
