"""Slims a built layer in place: drops test folders and caches, compiles bytecode.

Without shipped .pyc files every cold start compiles the stack again on Lambda's read-only
disk (about 1.5 s). Vendored shared libraries (numpy.libs, scipy.libs, …) are never touched:
stripping them breaks numpy.
"""

import compileall
import shutil
import sys
from pathlib import Path

REMOVABLE_DIRECTORIES = {"tests", "test", "__pycache__"}
# A few packages ship what only their own test suites or type checkers use.
REMOVABLE_SUFFIXES = {".pyi", ".pyx", ".pxd", ".c", ".cpp", ".h"}
KEEP = {"numpy.libs", "scipy.libs", "scikit_learn.libs"}


def slim(root: Path) -> tuple[int, int]:
    before = _size(root)
    for path in sorted(root.rglob("*"), key=lambda item: len(item.parts), reverse=True):
        if any(part in KEEP for part in path.relative_to(root).parts):
            continue
        if path.is_dir() and path.name in REMOVABLE_DIRECTORIES:
            shutil.rmtree(path)
        elif path.is_file() and path.suffix in REMOVABLE_SUFFIXES:
            path.unlink()
    compiled = compileall.compile_dir(root, quiet=1, workers=0, optimize=0)
    if not compiled:
        raise SystemExit("compiling the layer's bytecode failed")
    return before, _size(root)


def _size(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


if __name__ == "__main__":
    before, after = slim(Path(sys.argv[1]))
    print(f"layer slimmed from {before / 2**20:.0f} MB to {after / 2**20:.0f} MB")
