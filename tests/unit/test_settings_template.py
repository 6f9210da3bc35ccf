"""Each function's settings model against the environment template.yaml gives that function.

A variable the template sets must be required in code (a default there could drift from the
template's), and a stack that lacks one must fail at cold start naming it.
"""

import importlib
import sys

import pytest
from pydantic.fields import FieldInfo

from batch_handler.settings import BatchSettings
from drift_handler.settings import DriftSettings, GroundTruthSettings
from predict_handler.settings import PredictSettings
from retrain_handler.settings import (
    EvaluateSettings,
    GuardSettings,
    PromoteSettings,
    ReportSettings,
    RollbackSettings,
    TrainSettings,
)
from sklambda.errors import ConfigurationError
from sklambda.settings import EnvironmentSettings
from sklambda_local.template import LocalStack

SETTINGS_OF_FUNCTION: dict[str, type[EnvironmentSettings]] = {
    "PredictFunction": PredictSettings,
    "BatchScoreFunction": BatchSettings,
    "DriftFunction": DriftSettings,
    "GroundTruthFunction": GroundTruthSettings,
    "GuardFunction": GuardSettings,
    "TrainFunction": TrainSettings,
    "EvaluateFunction": EvaluateSettings,
    "PromoteFunction": PromoteSettings,
    "ReportFunction": ReportSettings,
    "RollbackFunction": RollbackSettings,
}
FUNCTIONS = sorted(SETTINGS_OF_FUNCTION)


def _variables(settings: type[EnvironmentSettings]) -> dict[str, FieldInfo]:
    return {str(field.alias): field for field in settings.model_fields.values()}


def _handler_module(stack: LocalStack, logical_id: str) -> str:
    return str(stack.template["Resources"][logical_id]["Properties"]["Handler"]).rpartition(".")[0]


def test_every_function_of_the_template_has_a_settings_model(stack: LocalStack) -> None:
    functions = {
        logical_id
        for logical_id, resource in stack.template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    assert functions == set(SETTINGS_OF_FUNCTION)


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_the_template_environment_validates(stack: LocalStack, logical_id: str) -> None:
    SETTINGS_OF_FUNCTION[logical_id].from_environment(stack.function_environment(logical_id))


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_a_variable_the_template_sets_has_no_default_in_code(
    stack: LocalStack, logical_id: str
) -> None:
    environment = stack.function_environment(logical_id)
    fields = _variables(SETTINGS_OF_FUNCTION[logical_id])
    repeated = {
        name for name, field in fields.items() if name in environment and not field.is_required()
    }
    assert not repeated, f"{logical_id}: defaults that repeat the template: {repeated}"


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_a_required_variable_is_set_by_the_template(stack: LocalStack, logical_id: str) -> None:
    environment = stack.function_environment(logical_id)
    fields = _variables(SETTINGS_OF_FUNCTION[logical_id])
    missing = {name for name, field in fields.items() if field.is_required()} - set(environment)
    assert not missing, f"{logical_id} needs variables the template does not set: {missing}"


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_cold_start_fails_naming_a_variable_the_stack_lacks(
    stack: LocalStack, logical_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = stack.function_environment(logical_id)
    required = sorted(
        name
        for name, field in _variables(SETTINGS_OF_FUNCTION[logical_id]).items()
        if field.is_required()
    )
    dropped = required[-1]
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(dropped)
    module = _handler_module(stack, logical_id)
    package = module.split(".")[0]
    # A fresh import, with no settings cached from another test, is what a cold start is.
    # Afterwards the package's modules are exactly the ones before: a half-imported copy left
    # behind would give later tests a second set of the package's classes.
    before = {name: loaded for name, loaded in sys.modules.items() if _in(package, name)}
    for name in before:
        del sys.modules[name]
    try:
        with pytest.raises(ConfigurationError, match=dropped):
            importlib.import_module(module)
    finally:
        for name in [name for name in sys.modules if _in(package, name)]:
            del sys.modules[name]
        sys.modules.update(before)


def _in(package: str, module_name: str) -> bool:
    return module_name.split(".")[0] == package
