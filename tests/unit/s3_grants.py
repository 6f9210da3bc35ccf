"""What a template resource's IAM statements allow in the model bucket, as key patterns.

Template tests compare these with the keys the code builds (sklambda.storage.keys), so a
prefix renamed in code and not in the template fails here instead of with AccessDenied in AWS.
"""

from fnmatch import fnmatchcase
from typing import Any

from sklambda.settings import RegistrySettings
from sklambda.storage.keys import ModelKeys
from sklambda_local.template import LocalStack


def _statements(stack: LocalStack, logical_id: str) -> list[dict[str, Any]]:
    statements = []
    for policy in stack.properties(logical_id)["Policies"]:
        document = policy.get("PolicyDocument", policy)
        statements.extend(document["Statement"])
    return statements


def _listed(values: str | list[str]) -> list[str]:
    return values if isinstance(values, list) else [values]


def grants(stack: LocalStack, logical_id: str) -> dict[str, set[str]]:
    """Action → what it is allowed on: object keys (patterns) in the model bucket with the
    bucket ARN left off, the s3:prefix values of a ListBucket condition, other ARNs as they are."""
    bucket = f"{stack.arn_of('ModelBucket')}/"
    allowed: dict[str, set[str]] = {}
    for statement in _statements(stack, logical_id):
        if statement["Effect"] != "Allow":
            continue
        resources = _listed(statement["Resource"])
        prefixes = statement.get("Condition", {}).get("StringLike", {}).get("s3:prefix")
        if prefixes:
            resources = _listed(prefixes)
        for action in _listed(statement["Action"]):
            allowed.setdefault(action, set()).update(
                resource.removeprefix(bucket) for resource in resources
            )
    return allowed


def under(*prefixes: str) -> set[str]:
    """The IAM pattern of everything under each prefix."""
    return {f"{prefix}*" for prefix in prefixes}


def covers(patterns: set[str], key: str) -> bool:
    """Whether an IAM resource pattern among ``patterns`` matches ``key`` (``*`` and ``?``)."""
    return any(fnmatchcase(key, pattern) for pattern in patterns)


def model_keys(
    stack: LocalStack, function: str, settings: type[RegistrySettings] = RegistrySettings
) -> ModelKeys:
    """The keys the function builds from the environment the template gives it."""
    return settings.from_environment(stack.function_environment(function)).model_keys()
