"""CloudFormation's reading of a processed template (the SAM translator's output) for given
parameter values: which resources and outputs exist, and their properties with the intrinsic
functions evaluated and `AWS::NoValue` entries removed. What no deploy-time value decides (a
reference to a resource, an attribute) stays a readable placeholder: `<ApiFunction>`,
`<ApiFunction.Arn>`."""

import re
from dataclasses import dataclass
from typing import Any

ACCOUNT_ID = "123456789012"
REGION = "eu-west-1"
_NO_VALUE = object()
_SUB_NAME = re.compile(r"\$\{([^}!]+)\}")


@dataclass(frozen=True)
class Stack:
    resources: dict[str, dict[str, Any]]
    outputs: dict[str, Any]
    conditions: dict[str, bool]
    broken_rules: list[str]

    def properties(self, name: str) -> dict[str, Any]:
        properties: dict[str, Any] = self.resources[name].get("Properties", {})
        return properties

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """The properties of every resource of this type, by logical id."""
        return {
            name: resource.get("Properties", {})
            for name, resource in self.resources.items()
            if resource["Type"] == resource_type
        }


class _Evaluation:
    def __init__(self, template: dict[str, Any], parameters: dict[str, str]) -> None:
        self.template = template
        declared = template.get("Parameters", {})
        values = {name: str(spec.get("Default", "")) for name, spec in declared.items()}
        self.values: dict[str, Any] = {**values, **parameters}
        self.values.update(
            {
                "AWS::AccountId": ACCOUNT_ID,
                "AWS::Region": REGION,
                "AWS::Partition": "aws",
                "AWS::URLSuffix": "amazonaws.com",
                "AWS::StackName": "stack",
                "AWS::NoValue": _NO_VALUE,
            }
        )
        self.conditions: dict[str, bool] = {}

    def condition(self, name: str) -> bool:
        if name not in self.conditions:
            self.conditions[name] = bool(self.value(self.template["Conditions"][name]))
        return self.conditions[name]

    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            return [item for item in map(self.value, node) if item is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((function, argument),) = node.items()
            if function == "Ref":
                return self.values.get(argument, f"<{argument}>")
            if function == "Fn::GetAtt":
                return f"<{'.'.join(argument) if isinstance(argument, list) else argument}>"
            if function == "Condition":
                return self.condition(argument)
            if function == "Fn::If":
                name, when_true, when_false = argument
                return self.value(when_true if self.condition(name) else when_false)
            if function in _FUNCTIONS:
                return _FUNCTIONS[function](self, self.value(argument))
            if function == "Fn::Sub":
                return self.sub(argument)
        evaluated = {key: self.value(item) for key, item in node.items()}
        return {key: item for key, item in evaluated.items() if item is not _NO_VALUE}

    def sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        known = {**self.values, **{name: self.value(item) for name, item in variables.items()}}
        replaced = _SUB_NAME.sub(lambda found: str(known.get(found[1], f"<{found[1]}>")), text)
        return replaced.replace("${!", "${")

    def find_in_map(self, argument: list[Any]) -> Any:
        mapping, key, name = argument
        return self.template["Mappings"][mapping][key][name]


_FUNCTIONS: dict[str, Any] = {
    "Fn::Equals": lambda _, args: str(args[0]) == str(args[1]),
    "Fn::Not": lambda _, args: not args[0],
    "Fn::And": lambda _, args: all(args),
    "Fn::Or": lambda _, args: any(args),
    "Fn::Join": lambda _, args: args[0].join(map(str, args[1])),
    "Fn::Split": lambda _, args: args[1].split(args[0]),
    "Fn::Select": lambda _, args: args[1][int(args[0])],
    "Fn::FindInMap": lambda evaluation, args: evaluation.find_in_map(args),
}


def evaluate(template: dict[str, Any], parameters: dict[str, str]) -> Stack:
    """The stack CloudFormation would build from this processed template and parameters, and
    the descriptions of the template's rules that these parameters break (CloudFormation then
    refuses the deploy)."""
    evaluation = _Evaluation(template, parameters)
    resources = {
        name: evaluation.value(resource)
        for name, resource in template["Resources"].items()
        if "Condition" not in resource or evaluation.condition(resource["Condition"])
    }
    outputs = {
        name: evaluation.value(output["Value"])
        for name, output in template.get("Outputs", {}).items()
        if "Condition" not in output or evaluation.condition(output["Condition"])
    }
    broken_rules = [
        assertion["AssertDescription"]
        for rule in template.get("Rules", {}).values()
        if evaluation.value(rule.get("RuleCondition", True))
        for assertion in rule["Assertions"]
        if not evaluation.value(assertion["Assert"])
    ]
    return Stack(resources, outputs, evaluation.conditions, broken_rules)
