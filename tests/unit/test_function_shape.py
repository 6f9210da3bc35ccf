"""Every function package has one shape, and its imports point one way.

handlers/ (entry modules) -> dependencies.py (cached factories) -> services/ -> the rest
(adapters/, models.py, settings.py, telemetry.py and domain modules). A module imports only
from a lower tier, so a service never reaches for a factory and an adapter never for a service.
"""

import ast
from pathlib import Path

import pytest

from sklambda_local.template import PROJECT_ROOT, LocalStack

PACKAGES = sorted(PROJECT_ROOT.glob("functions/*/*_handler"))
# telemetry.py too, in each package that publishes metrics (retraining publishes none).
COMMON_MODULES = ("dependencies.py", "settings.py", "models.py")
TIERS = {"handlers": 3, "dependencies": 2, "services": 1}
# The prediction API's bodies are its contract, which `sklambda openapi` documents without the
# function: they live in the layer instead of the package's models.py.
MODELS_IN_THE_LAYER = {"predict_handler": "sklambda.api.models"}


def _tier(module: str) -> int:
    parts = module.split(".")
    return TIERS.get(parts[1], 0) if len(parts) > 1 else 0


def _module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _own_imports(path: Path, package: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        names.update(name for name in modules if name.split(".")[0] == package)
    return names


@pytest.mark.parametrize("package", PACKAGES, ids=lambda path: path.name)
def test_every_package_has_the_common_modules(package: Path) -> None:
    expected = [name for name in COMMON_MODULES if name != "models.py"]
    if package.name in MODELS_IN_THE_LAYER:
        layer_models = MODELS_IN_THE_LAYER[package.name]
        imported = set().union(*(_own_imports(path, "sklambda") for path in package.rglob("*.py")))
        assert layer_models in imported
        assert not (package / "models.py").exists()
    else:
        expected.append("models.py")
    missing = [name for name in expected if not (package / name).is_file()]
    missing += [name for name in ("handlers", "services") if not (package / name).is_dir()]
    assert not missing


@pytest.mark.parametrize("package", PACKAGES, ids=lambda path: path.name)
def test_imports_point_from_handlers_down_to_adapters(package: Path) -> None:
    upward = set()
    for path in package.rglob("*.py"):
        importer = _module_name(path, package)
        for imported in _own_imports(path, package.name):
            if _tier(imported) > _tier(importer):
                upward.add(f"{importer} imports {imported}")
    assert not upward


def test_every_template_handler_is_a_lambda_handler_in_handlers(stack: LocalStack) -> None:
    for resource in stack.template["Resources"].values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        handler = str(resource["Properties"]["Handler"])
        module, _, attribute = handler.rpartition(".")
        assert module.split(".")[1] == "handlers", handler
        assert attribute == "lambda_handler", handler
        assert (
            PROJECT_ROOT / resource["Properties"]["CodeUri"] / (module.replace(".", "/") + ".py")
        ).is_file()


def test_the_tier_check_sees_an_upward_import(tmp_path: Path) -> None:
    adapter = tmp_path / "functions" / "demo" / "demo_handler" / "adapters" / "store.py"
    adapter.parent.mkdir(parents=True)
    adapter.write_text("from demo_handler.services.work import Work\n")
    importer = _module_name(adapter, adapter.parents[1])
    assert importer == "demo_handler.adapters.store"
    imported = _own_imports(adapter, "demo_handler")
    assert any(_tier(name) > _tier(importer) for name in imported)
