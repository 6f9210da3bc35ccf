"""Finds and imports a function's handler the way Lambda would: from its template CodeUri."""

import importlib
import os
import sys
from collections.abc import Callable
from typing import Any

from sklambda_local.template import PROJECT_ROOT, LocalStack

LambdaHandler = Callable[[dict[str, Any], Any], Any]


def import_handler(stack: LocalStack, logical_id: str) -> LambdaHandler:
    properties = stack.template["Resources"][logical_id]["Properties"]
    code_dir = str(PROJECT_ROOT / properties["CodeUri"])
    if code_dir not in sys.path:
        sys.path.insert(0, code_dir)
    module_name, _, attribute = properties["Handler"].rpartition(".")
    handler: LambdaHandler = getattr(importlib.import_module(module_name), attribute)
    return handler


def apply_environment(stack: LocalStack, logical_id: str, **overrides: str) -> dict[str, str]:
    """Set this process's environment to the function's, as its template declares it."""
    environment = {**stack.function_environment(logical_id), **overrides}
    os.environ.update(environment)
    return environment
