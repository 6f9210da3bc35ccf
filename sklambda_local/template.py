"""Reads template.yaml so local resources and function environments come from the stack itself.

Only the intrinsics the template uses are resolved; anything else raises, so the local
copy cannot silently drift from what `sam deploy` would create.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = PROJECT_ROOT / "template.yaml"
LOCAL_ACCOUNT = "123456789012"
LOCAL_REGION = "us-east-1"
_NO_VALUE = object()
# Resources whose physical name a property may set (a known name breaks a reference cycle).
_NAME_PROPERTIES = {
    "AWS::Serverless::Function": "FunctionName",
    "AWS::Serverless::StateMachine": "Name",
    "AWS::SQS::Queue": "QueueName",
    "AWS::Logs::LogGroup": "LogGroupName",
}


class _CloudFormationLoader(yaml.SafeLoader):
    pass


def _tag(name: str) -> None:
    key = name if name in {"Ref", "Condition"} else f"Fn::{name}"

    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {key: value}

    _CloudFormationLoader.add_constructor(f"!{name}", construct)


for _name in (
    "Ref",
    "Sub",
    "GetAtt",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
    "Join",
    "Select",
    "Condition",
    "FindInMap",
    "Split",
    "ToJsonString",
):
    _tag(_name)


@cache
def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    with path.open() as handle:
        return yaml.load(handle, Loader=_CloudFormationLoader)  # noqa: S506 - SafeLoader subclass


def physical_name(logical_id: str, stack_name: str = "sklambda-local") -> str:
    """A stable, S3-safe local name for a resource, like CloudFormation's generated ones."""
    return f"{stack_name}-{logical_id}".lower()


@dataclass
class LocalStack:
    """The template's resources as they exist locally: names, parameters, conditions."""

    template: dict[str, Any] = field(default_factory=load_template)
    parameter_overrides: Mapping[str, str] = field(default_factory=dict)
    stack_name: str = "sklambda-local"

    @property
    def resources(self) -> dict[str, Any]:
        return dict(self.template["Resources"])

    def parameter(self, name: str) -> str:
        if name in self.parameter_overrides:
            return str(self.parameter_overrides[name])
        return str(self.template["Parameters"][name]["Default"])

    def name_of(self, logical_id: str) -> str:
        if logical_id not in self.template["Resources"]:
            raise KeyError(f"template.yaml has no resource {logical_id}")
        resource = self.template["Resources"][logical_id]
        name_property = _NAME_PROPERTIES.get(resource["Type"])
        explicit = resource.get("Properties", {}).get(name_property) if name_property else None
        if explicit is not None:
            return str(self.resolve(explicit))
        return physical_name(logical_id, self.stack_name)

    def properties(self, logical_id: str) -> dict[str, Any]:
        resolved = self.resolve(self.template["Resources"][logical_id].get("Properties", {}))
        return dict(resolved)

    def condition(self, name: str) -> bool:
        return bool(self._evaluate_condition(self.template["Conditions"][name]))

    def _evaluate_condition(self, expression: Any) -> Any:
        if isinstance(expression, dict) and len(expression) == 1:
            ((key, value),) = expression.items()
            if key == "Fn::Equals":
                left, right = (self.resolve(item) for item in value)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self._evaluate_condition(value[0])
            if key == "Fn::And":
                return all(self._evaluate_condition(item) for item in value)
            if key == "Fn::Or":
                return any(self._evaluate_condition(item) for item in value)
            if key == "Condition":
                return self.condition(value)
        return self.resolve(expression)

    def _ref(self, name: str) -> Any:
        pseudo = {
            "AWS::Region": LOCAL_REGION,
            "AWS::AccountId": LOCAL_ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.stack_name,
            "AWS::NoValue": _NO_VALUE,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.template.get("Parameters", {}):
            return self.parameter(name)
        if name.endswith(".Alias"):
            return self.alias_arn_of(name.removesuffix(".Alias"))
        resource_type = self.template["Resources"][name]["Type"]
        if resource_type in {
            "AWS::SNS::Topic",
            "AWS::Serverless::StateMachine",
            "AWS::StepFunctions::StateMachine",
        }:
            return self.arn_of(name)
        if resource_type == "AWS::SQS::Queue":
            return self._get_att(name, "QueueUrl")
        return self.name_of(name)

    def arn_of(self, logical_id: str) -> str:
        if self._is_implicit_role(logical_id):
            return f"arn:aws:iam::{LOCAL_ACCOUNT}:role/{physical_name(logical_id, self.stack_name)}"
        resource_type = self.template["Resources"][logical_id]["Type"]
        name = self.name_of(logical_id)
        region_account = f"{LOCAL_REGION}:{LOCAL_ACCOUNT}"
        by_type = {
            "AWS::S3::Bucket": f"arn:aws:s3:::{name}",
            "AWS::Serverless::Function": f"arn:aws:lambda:{region_account}:function:{name}",
            "AWS::Lambda::Function": f"arn:aws:lambda:{region_account}:function:{name}",
            "AWS::Serverless::StateMachine": f"arn:aws:states:{region_account}:stateMachine:{name}",
            "AWS::StepFunctions::StateMachine": (
                f"arn:aws:states:{region_account}:stateMachine:{name}"
            ),
            "AWS::CloudWatch::Alarm": f"arn:aws:cloudwatch:{region_account}:alarm:{name}",
        }
        if resource_type in by_type:
            return by_type[resource_type]
        service = resource_type.split("::")[1].lower()
        return f"arn:aws:{service}:{region_account}:{name}"

    def _is_implicit_role(self, logical_id: str) -> bool:
        """SAM creates ``<Function>Role`` for a function without a Role of its own."""
        resources = self.template["Resources"]
        function = resources.get(logical_id.removesuffix("Role"), {})
        return (
            logical_id not in resources
            and logical_id.endswith("Role")
            and function.get("Type") == "AWS::Serverless::Function"
            and "Role" not in function.get("Properties", {})
        )

    def alias_arn_of(self, logical_id: str) -> str:
        """SAM's `!Ref Function.Alias`: the qualified ARN of the AutoPublishAlias."""
        own = self.template["Resources"][logical_id].get("Properties", {}).get("AutoPublishAlias")
        alias = own or self.template.get("Globals", {}).get("Function", {}).get("AutoPublishAlias")
        if not alias:
            raise KeyError(f"{logical_id} has no AutoPublishAlias, so it has no .Alias")
        return f"{self.arn_of(logical_id)}:{alias}"

    def _get_att(self, logical_id: str, attribute: str) -> str:
        if attribute == "Arn":
            return self.arn_of(logical_id)
        if attribute == "QueueUrl":
            return f"https://sqs.{LOCAL_REGION}.amazonaws.com/{LOCAL_ACCOUNT}/{self.name_of(logical_id)}"
        return self.name_of(logical_id)

    def _sub(self, text: str, variables: Mapping[str, Any]) -> str:
        out, rest = [], text
        while "${" in rest:
            before, _, after = rest.partition("${")
            token, _, rest = after.partition("}")
            out.append(before)
            if token in variables:
                out.append(str(self.resolve(variables[token])))
            elif "." in token and not token.startswith("AWS::"):
                logical_id, attribute = token.split(".", 1)
                out.append(self._get_att(logical_id, attribute))
            else:
                out.append(str(self._ref(token)))
        out.append(rest)
        return "".join(out)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self._ref(argument)
            if key == "Fn::GetAtt":
                return self._get_att(*argument)
            if key == "Fn::Sub":
                text, variables = (argument, {}) if isinstance(argument, str) else argument
                return self._sub(text, variables)
            if key == "Fn::If":
                name, when_true, when_false = argument
                return self.resolve(when_true if self.condition(name) else when_false)
            if key == "Fn::ToJsonString":
                return json.dumps(self.resolve(argument), separators=(",", ":"))
            if key == "Fn::Join":
                separator, items = argument
                return separator.join(str(item) for item in self.resolve(items))
            if key.startswith("Fn::") or key == "Condition":
                raise NotImplementedError(f"local stack cannot resolve {key}")
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not _NO_VALUE}

    @property
    def function_ids(self) -> list[str]:
        return sorted(
            logical_id
            for logical_id, resource in self.resources.items()
            if resource["Type"] == "AWS::Serverless::Function"
        )

    def _declared_environment(self, logical_id: str) -> dict[str, Any]:
        globals_env = self.template.get("Globals", {}).get("Function", {}).get("Environment", {})
        own_env = self.template["Resources"][logical_id]["Properties"].get("Environment", {})
        return {**globals_env.get("Variables", {}), **own_env.get("Variables", {})}

    def computed_variables(self, logical_id: str) -> dict[str, str]:
        """The function's variables the template computes (``!Ref``, ``!Sub``), as CloudFormation
        resolves them.

        `sam local` gets these wrong: a ``!Ref`` to a resource becomes the bare logical id
        (``DriftAlarm``), and a ``!Ref`` to a Number parameter with a decimal default is left
        unresolved, which the function sees as an empty value. The local tests pass these.
        """
        declared = self._declared_environment(logical_id)
        resolved = self.resolve(declared)
        return {
            key: str(value) for key, value in resolved.items() if isinstance(declared[key], dict)
        }

    def function_environment(self, logical_id: str) -> dict[str, str]:
        """Globals merged with the function's own variables, as Lambda would set them."""
        merged = self._declared_environment(logical_id)
        return {key: str(value) for key, value in self.resolve(merged).items()}
