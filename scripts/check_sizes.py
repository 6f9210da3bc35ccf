"""Deployment size of every function in a `sam build` output, with the layers it uses.

Lambda refuses a function whose code plus layers exceed 250 MiB unzipped; this fails above
our own budget (200 MiB by default) so there is room for the next dependency. Zipped sizes are
printed for information (the direct-upload limit is 50 MiB, SAM uploads through S3).

Usage: python scripts/check_sizes.py [--build-dir .aws-sam/build] [--limit-mib 200]
"""

import argparse
import io
import sys
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sklambda_local.template import PROJECT_ROOT, TEMPLATE_PATH, load_template

MIB = 2**20
DEFAULT_LIMIT_MIB = 200
FUNCTION_TYPES = {"AWS::Serverless::Function", "AWS::Lambda::Function"}


@dataclass(frozen=True)
class Artifact:
    name: str
    unzipped: int
    zipped: int


@dataclass(frozen=True)
class FunctionSize:
    name: str
    code: Artifact
    layers: tuple[Artifact, ...]

    @property
    def unzipped(self) -> int:
        return self.code.unzipped + sum(layer.unzipped for layer in self.layers)

    @property
    def zipped(self) -> int:
        return self.code.zipped + sum(layer.zipped for layer in self.layers)


@cache
def measure(directory: Path) -> Artifact:
    """Unzipped bytes as Lambda counts them, and the size of the zip SAM would upload."""
    if not directory.is_dir():
        raise SystemExit(f"{directory} is missing: run `sam build` first")
    files = sorted(path for path in directory.rglob("*") if path.is_file())
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in files:
            bundle.write(path, path.relative_to(directory))
    unzipped = sum(path.stat().st_size for path in files)
    return Artifact(directory.name, unzipped, archive.getbuffer().nbytes)


def layer_ids(template: dict[str, Any], properties: dict[str, Any]) -> list[str]:
    global_layers = template.get("Globals", {}).get("Function", {}).get("Layers", [])
    references = properties.get("Layers", global_layers)
    ids = []
    for reference in references:
        if not (isinstance(reference, dict) and "Ref" in reference):
            raise SystemExit(f"cannot measure a layer outside this template: {reference}")
        ids.append(str(reference["Ref"]))
    return ids


def function_sizes(template: dict[str, Any], build_dir: Path) -> list[FunctionSize]:
    sizes = []
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") not in FUNCTION_TYPES:
            continue
        properties = resource.get("Properties", {})
        layers = tuple(measure(build_dir / layer) for layer in layer_ids(template, properties))
        sizes.append(FunctionSize(logical_id, measure(build_dir / logical_id), layers))
    return sizes


def report(sizes: list[FunctionSize], limit_mib: float) -> bool:
    print(f"{'function':<24}{'code':>9}{'layers':>10}{'unzipped':>11}{'zipped':>9}  (MiB)")
    fits = True
    for size in sizes:
        layers = size.unzipped - size.code.unzipped
        over = size.unzipped > limit_mib * MIB
        fits = fits and not over
        print(
            f"{size.name:<24}{size.code.unzipped / MIB:>9.1f}{layers / MIB:>10.1f}"
            f"{size.unzipped / MIB:>11.1f}{size.zipped / MIB:>9.1f}"
            f"  {'OVER ' if over else ''}limit {limit_mib:g}"
        )
    return fits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=PROJECT_ROOT / ".aws-sam" / "build")
    parser.add_argument("--limit-mib", type=float, default=DEFAULT_LIMIT_MIB)
    args = parser.parse_args()
    built_template = args.build_dir / "template.yaml"
    template = load_template(built_template if built_template.exists() else TEMPLATE_PATH)
    sizes = function_sizes(template, args.build_dir)
    if not sizes:
        print("no functions in the template", file=sys.stderr)
        return 1
    if report(sizes, args.limit_mib):
        return 0
    print(f"error: a function with its layers exceeds {args.limit_mib:g} MiB unzipped")
    return 1


if __name__ == "__main__":
    sys.exit(main())
