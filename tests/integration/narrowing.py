"""Test copies of template.yaml with one IAM grant narrowed, to prove the enforced tier fails."""

import copy
from typing import Any

from sklambda_local.template import LocalStack, load_template


def narrowed(function: str, sid: str, dropped: str, kept: str | None = None) -> LocalStack:
    """The template with ``dropped`` (a ``!Sub`` pattern) taken out of statement ``sid`` of
    ``function``'s policy, and ``kept`` put in its place when given."""
    template: dict[str, Any] = copy.deepcopy(load_template())
    (policy,) = template["Resources"][function]["Properties"]["Policies"]
    (statement,) = [s for s in policy["Statement"] if s["Sid"] == sid]
    resources = statement["Resource"]
    resources = resources if isinstance(resources, list) else [resources]
    remaining = [r for r in resources if r != {"Fn::Sub": dropped}]
    assert len(remaining) == len(resources) - 1, f"{function} {sid} does not grant {dropped}"
    statement["Resource"] = remaining + ([{"Fn::Sub": kept}] if kept else [])
    return LocalStack(template=template)
