"""Slims a built layer in place so the layer plus a function stays under 200 MiB unzipped.

Each step prints what it saved; docs/build.md explains why each is safe and what was measured.
Usage: python3.13 slim_layer.py LAYER_PYTHON_DIR [aarch64|x86_64]
"""

import compileall
import os
import platform
import py_compile
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

FIRST_PARTY = {"sklambda"}
# Vendored shared libraries: stripping them breaks numpy and scipy, so nothing in them changes.
VENDORED_LIBRARIES = {"numpy.libs", "scipy.libs", "scikit_learn.libs"}
REMOVABLE_DIRECTORIES = {"tests", "test", "__pycache__"}
REMOVABLE_SUFFIXES = {".pyi", ".pyx", ".pxd", ".c", ".cpp", ".h"}
# The Lambda python3.13 runtime ships the AWS SDK; a second copy in the layer would also shadow
# the runtime's boto3 with a botocore it was not released with.
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "dateutil", "six"}
RUNTIME_PROVIDED_DISTRIBUTIONS = {
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "urllib3",
    "python_dateutil",
    "six",
}
# Neither scikit-learn nor the rest of scipy imports these (checked by importing every
# scikit-learn module and by grepping both packages for imports of them).
UNUSED_SCIPY = {"datasets", "differentiate", "fftpack", "misc", "odr", "signal"}
# importlib.metadata needs METADATA for versions; the licence texts must ship with the binaries.
KEPT_METADATA = ("METADATA", "LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS", "licenses")


def _size(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _is_vendored(root: Path, path: Path) -> bool:
    return any(part in VENDORED_LIBRARIES for part in path.relative_to(root).parts)


def _deepest_first(root: Path) -> Iterator[Path]:
    yield from sorted(root.rglob("*"), key=lambda item: len(item.parts), reverse=True)


def drop_test_and_build_files(root: Path) -> None:
    # Console scripts land in python/bin, which is not on a function's PATH.
    shutil.rmtree(root / "bin", ignore_errors=True)
    for path in _deepest_first(root):
        if _is_vendored(root, path):
            continue
        if path.is_dir() and path.name in REMOVABLE_DIRECTORIES:
            shutil.rmtree(path)
        elif path.is_file() and path.suffix in REMOVABLE_SUFFIXES:
            path.unlink()


def drop_runtime_provided_sdk(root: Path) -> None:
    for path in list(root.iterdir()):
        module = path.name.removesuffix(".py")
        distribution = path.name.split("-", 1)[0] if path.name.endswith(".dist-info") else None
        if module in RUNTIME_PROVIDED or distribution in RUNTIME_PROVIDED_DISTRIBUTIONS:
            _remove(path)


def drop_unused_scipy(root: Path) -> None:
    for name in UNUSED_SCIPY:
        if (root / "scipy" / name).is_dir():
            shutil.rmtree(root / "scipy" / name)


def trim_dist_info(root: Path) -> None:
    for info in root.glob("*.dist-info"):
        for path in info.iterdir():
            if not path.name.upper().startswith(tuple(name.upper() for name in KEPT_METADATA)):
                _remove(path)


def _strip_tool(arch: str) -> str | None:
    cross = shutil.which(f"{arch}-linux-gnu-strip")
    if cross:
        return cross
    if platform.machine() == arch:
        return shutil.which("strip")
    return None


def strip_shared_objects(root: Path, arch: str) -> None:
    tool = _strip_tool(arch)
    if tool is None:
        package = "binutils-aarch64-linux-gnu" if arch == "aarch64" else "binutils"
        print(f"note: no strip tool for {arch} (install {package}); shared objects left as built")
        return
    objects = [
        str(path) for path in root.rglob("*.so*") if path.is_file() and not _is_vendored(root, path)
    ]
    # --strip-unneeded keeps the dynamic symbol table that the loader and Python need.
    for start in range(0, len(objects), 200):
        subprocess.run([tool, "--strip-unneeded", *objects[start : start + 200]], check=True)


def compile_bytecode(root: Path) -> None:
    """Third-party code ships sourceless; our own keeps its source for readable tracebacks.

    Hash-based pyc files: zip archives keep modification times only to two seconds, so
    timestamp-checked pyc files beside their source could look stale on Lambda's read-only
    disk and be recompiled on every cold start.
    """
    mode = py_compile.PycInvalidationMode.UNCHECKED_HASH
    for path in root.iterdir():
        if not (path.is_dir() or path.suffix == ".py") or path.name.endswith(".dist-info"):
            continue
        first_party = path.name in FIRST_PARTY
        if path.is_dir():
            ok = compileall.compile_dir(
                path, quiet=1, workers=0, legacy=not first_party, invalidation_mode=mode
            )
        else:
            ok = compileall.compile_file(path, quiet=1, legacy=True, invalidation_mode=mode)
        if not ok:
            raise SystemExit(f"compiling the bytecode of {path.name} failed")
        if not first_party:
            sources = path.rglob("*.py") if path.is_dir() else [path]
            for source in list(sources):
                if not _is_vendored(root, source):
                    source.unlink()


def slim(root: Path, arch: str) -> None:
    steps: list[tuple[str, Callable[[], None]]] = [
        ("test folders, build sources, stubs", lambda: drop_test_and_build_files(root)),
        ("AWS SDK (the runtime provides it)", lambda: drop_runtime_provided_sdk(root)),
        ("scipy subpackages nothing imports", lambda: drop_unused_scipy(root)),
        ("dist-info beyond METADATA and licences", lambda: trim_dist_info(root)),
        ("debug symbols of extension modules", lambda: strip_shared_objects(root, arch)),
        ("bytecode (third-party sourceless)", lambda: compile_bytecode(root)),
    ]
    start = before = _size(root)
    for label, step in steps:
        step()
        after = _size(root)
        print(f"  {label:<42} {(after - before) / 2**20:+7.1f} MiB")
        before = after
    print(f"layer ({arch}) slimmed from {start / 2**20:.1f} MiB to {before / 2**20:.1f} MiB")


if __name__ == "__main__":
    layer_arch = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("SKLAMBDA_LAYER_ARCH", "")
    if layer_arch not in {"aarch64", "x86_64"}:
        raise SystemExit("usage: slim_layer.py LAYER_PYTHON_DIR aarch64|x86_64")
    slim(Path(sys.argv[1]), layer_arch)
