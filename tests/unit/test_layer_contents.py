"""The model layer ships only what the functions import.

The layer build copies `layers/model/sklambda` whole, so these checks read the source tree and
the functions' imports instead of running `sam build`.
"""

import ast
from pathlib import Path

from sklambda_local.template import PROJECT_ROOT

LAYER_ROOT = PROJECT_ROOT / "layers" / "model"
FUNCTIONS_ROOT = PROJECT_ROOT / "functions"
LAYER_PACKAGE = "sklambda"
# Packages that live beside the layer and must never be imported from it.
OUTSIDE_THE_LAYER = ("sklambda_cli", "sklambda_local", "tests")


def _layer_modules() -> dict[str, Path]:
    modules = {}
    for path in (LAYER_ROOT / LAYER_PACKAGE).rglob("*.py"):
        parts = list(path.relative_to(LAYER_ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _imported_names(path: Path, module: str) -> set[str]:
    """Every module (and `module.attribute`) an import statement in `path` names."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            names.add(source)
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return names


def _reachable_from_functions(modules: dict[str, Path]) -> set[str]:
    pending = [
        name
        for path in FUNCTIONS_ROOT.rglob("*.py")
        for name in _imported_names(path, path.stem)
        if name.split(".")[0] == LAYER_PACKAGE
    ]
    reached: set[str] = set()
    while pending:
        name = pending.pop()
        if name in reached or name not in modules:
            continue
        reached.add(name)
        parts = name.split(".")
        pending.extend(".".join(parts[:depth]) for depth in range(1, len(parts)))
        pending.extend(_imported_names(modules[name], name))
    return reached


def _names_outside_the_layer(path: Path, module: str) -> set[str]:
    """Imports of outside packages, and strings naming one (``importlib.import_module("...")``
    or a lazy ``__getattr__`` would depend on it just the same)."""
    named = {
        node.value
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    return {
        name
        for name in _imported_names(path, module) | named
        if name.split(".")[0] in OUTSIDE_THE_LAYER
    }


def test_the_layer_package_imports_nothing_that_lives_outside_it() -> None:
    offenders = {
        f"{module} names {name}"
        for module, path in _layer_modules().items()
        for name in _names_outside_the_layer(path, module)
    }
    assert not offenders


def test_the_outside_check_notices_a_lazy_import_by_name(tmp_path: Path) -> None:
    hook = tmp_path / "hook.py"
    hook.write_text(
        "import importlib\n"
        "def __getattr__(name):\n"
        "    return importlib.import_module('sklambda_cli.publishing.publish')\n"
    )
    assert _names_outside_the_layer(hook, "sklambda") == {"sklambda_cli.publishing.publish"}


def test_every_layer_module_is_imported_by_some_function() -> None:
    modules = _layer_modules()
    unused = set(modules) - _reachable_from_functions(modules)
    assert not unused, f"not imported by any function, so it should not ship in the layer: {unused}"


def test_the_cli_is_not_in_the_layer_source() -> None:
    assert not (LAYER_ROOT / LAYER_PACKAGE / "cli").exists()
    assert (PROJECT_ROOT / "sklambda_cli" / "main.py").is_file()


def test_the_reachability_check_notices_a_module_no_function_imports(tmp_path: Path) -> None:
    stray = tmp_path / "stray.py"
    stray.write_text("from sklambda.errors import SklambdaError\n")
    modules = {**_layer_modules(), "sklambda.stray": stray}
    assert "sklambda.stray" not in _reachable_from_functions(modules)
    assert "sklambda.errors" in _reachable_from_functions(modules)
