"""`make sizes` measures each function with every layer stack it can deploy with, against the
budget of the layers it carries."""

import importlib.util
from pathlib import Path
from types import ModuleType

from sklambda_local.template import PROJECT_ROOT, TEMPLATE_PATH, load_template

MIB = 2**20


def _check_sizes() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_sizes", PROJECT_ROOT / "scripts" / "check_sizes.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fake_build(root: Path, template: dict) -> None:
    """One small file per function and layer: budgets, not bytes, are under test."""
    for logical_id, resource in template["Resources"].items():
        if resource["Type"].endswith(("::Function", "::LayerVersion")):
            (root / logical_id).mkdir(parents=True)
            (root / logical_id / "file").write_bytes(b"x")


def test_each_function_gets_the_budget_of_the_layers_it_carries(tmp_path):
    check_sizes = _check_sizes()
    template = load_template(TEMPLATE_PATH)
    _fake_build(tmp_path, template)
    limits = {size.name: size.limit_mib for size in check_sizes.function_sizes(template, tmp_path)}
    assert limits["TrainFunction+ModelLayer+ConvertLayer"] == 235.0
    assert limits["TrainFunction+ModelLayer"] == check_sizes.DEFAULT_LIMIT_MIB
    assert limits["PredictFunction+OnnxLayer"] == 100.0
    assert limits["PredictFunction+ModelLayer"] == check_sizes.DEFAULT_LIMIT_MIB
    assert limits["EvaluateFunction"] == check_sizes.DEFAULT_LIMIT_MIB
    # Every budget stays below what Lambda refuses.
    assert max(limits.values()) < 250


def test_a_stack_over_its_budget_fails(tmp_path, capsys):
    check_sizes = _check_sizes()
    small = check_sizes.Artifact("code", MIB, MIB)
    big = check_sizes.Artifact("ConvertLayer", 240 * MIB, 90 * MIB)
    over = check_sizes.FunctionSize("TrainFunction", small, (big,), 235.0)
    assert not check_sizes.report([over])
    assert "OVER limit 235" in capsys.readouterr().out
