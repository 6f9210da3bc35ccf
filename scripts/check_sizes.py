"""Deployment size of every function in a `sam build` output, with the layers it uses.

Lambda refuses a function whose code plus layers exceed 250 MiB unzipped; this fails above
our own budget (200 MiB by default, 100 MiB with the lean ONNX layer, 235 MiB with the
conversion layer) so there is room for the next dependency. A function whose layer is chosen by
a template condition (InferenceRuntime) is measured with each choice. Zipped sizes are
printed for information (the direct-upload limit is 50 MiB, SAM uploads through S3).

Usage: python scripts/check_sizes.py [--build-dir .aws-sam/build] [--limit-mib 200]
"""

import argparse
import io
import itertools
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
# Budgets of a function using the layer, in place of the default. The lean ONNX layer's is the
# issue's target. The conversion layer's is wider: converting a candidate and measuring its
# parity needs scikit-learn (to load and score the pickle), skl2onnx, onnx and onnxruntime in
# one process, so that stack is the scikit-learn one plus about 40 MiB however it is split
# (docs/onnx.md); 235 MiB still keeps 15 MiB below Lambda's limit.
LAYER_LIMITS_MIB = {"OnnxLayer": 100.0, "ConvertLayer": 235.0}


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
    limit_mib: float = DEFAULT_LIMIT_MIB

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


# An Fn::If branch that leaves the layer out.
NO_LAYER = ""


def _choices(reference: Any) -> list[str]:
    """The layer ids a reference can resolve to: one for a Ref, each branch of an Fn::If."""
    if reference == {"Ref": "AWS::NoValue"}:
        return [NO_LAYER]
    if isinstance(reference, dict) and "Ref" in reference:
        return [str(reference["Ref"])]
    if isinstance(reference, dict) and "Fn::If" in reference:
        _, *branches = reference["Fn::If"]
        return [layer for branch in branches for layer in _choices(branch)]
    raise SystemExit(f"cannot measure a layer outside this template: {reference}")


def layer_choices(template: dict[str, Any], properties: dict[str, Any]) -> list[tuple[str, ...]]:
    """Every combination of layers the function can deploy with (SAM puts the global layers
    before the function's own, it does not replace them)."""
    global_layers = template.get("Globals", {}).get("Function", {}).get("Layers", [])
    references = [*global_layers, *properties.get("Layers", [])]
    combinations = itertools.product(*(_choices(reference) for reference in references))
    return [tuple(layer for layer in layers if layer != NO_LAYER) for layers in combinations]


def function_sizes(
    template: dict[str, Any], build_dir: Path, limit_mib: float = DEFAULT_LIMIT_MIB
) -> list[FunctionSize]:
    sizes = []
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") not in FUNCTION_TYPES:
            continue
        choices = layer_choices(template, resource.get("Properties", {}))
        for layer_ids in choices:
            name = logical_id if len(choices) == 1 else f"{logical_id}+{'+'.join(layer_ids)}"
            limit = min(
                (LAYER_LIMITS_MIB[layer] for layer in layer_ids if layer in LAYER_LIMITS_MIB),
                default=limit_mib,
            )
            layers = tuple(measure(build_dir / layer) for layer in layer_ids)
            sizes.append(FunctionSize(name, measure(build_dir / logical_id), layers, limit))
    return sizes


def report(sizes: list[FunctionSize]) -> bool:
    print(f"{'function':<36}{'code':>9}{'layers':>10}{'unzipped':>11}{'zipped':>9}  (MiB)")
    fits = True
    for size in sizes:
        layers = size.unzipped - size.code.unzipped
        over = size.unzipped > size.limit_mib * MIB
        fits = fits and not over
        print(
            f"{size.name:<36}{size.code.unzipped / MIB:>9.1f}{layers / MIB:>10.1f}"
            f"{size.unzipped / MIB:>11.1f}{size.zipped / MIB:>9.1f}"
            f"  {'OVER ' if over else ''}limit {size.limit_mib:g}"
        )
    return fits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=PROJECT_ROOT / ".aws-sam" / "build")
    parser.add_argument("--limit-mib", type=float, default=DEFAULT_LIMIT_MIB)
    args = parser.parse_args()
    built_template = args.build_dir / "template.yaml"
    template = load_template(built_template if built_template.exists() else TEMPLATE_PATH)
    sizes = function_sizes(template, args.build_dir, args.limit_mib)
    if not sizes:
        print("no functions in the template", file=sys.stderr)
        return 1
    if report(sizes):
        return 0
    print("error: a function with its layers exceeds its budget unzipped")
    return 1


if __name__ == "__main__":
    sys.exit(main())
