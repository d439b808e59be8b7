"""What the SAM CLI makes of the template, samconfig.toml and command lines, as JSON.

Runs inside the SAM CLI's own environment (`make sam-cli`, .tools/sam), which the suite's
environment does not share; tests/fixtures/sam.py sends it one JSON request on stdin:

- `transform`: the SAM translator's CloudFormation for each parameter set;
- `deploy`: the arguments `sam deploy` would deploy with (samconfig.toml and command line parsed
  by the SAM CLI itself), with the deploy replaced by printing them.
"""

import copy
import inspect
import json
import os
import sys
from pathlib import Path
from typing import Any

from boto3.session import Session
from samcli.cli.main import cli
from samcli.commands.deploy import command as deploy_command
from samcli.yamlhelper import yaml_parse
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

REGION = "eu-west-1"
DEPLOY_ARGUMENTS = (
    "template_file",
    "stack_name",
    "parameter_overrides",
    "capabilities",
    "tags",
    "region",
    "image_repository",
    "confirm_changeset",
    "fail_on_empty_changeset",
)


def transform(template: dict[str, Any], parameters: dict[str, str]) -> dict[str, Any]:
    """As CloudFormation runs the transform: with every parameter's value as text, the
    template's defaults for those not given."""
    declared = template.get("Parameters", {})
    values = {name: str(spec["Default"]) for name, spec in declared.items() if "Default" in spec}
    translator = Translator(
        managed_policy_map=None,
        sam_parser=Parser(),
        plugins=[],
        boto_session=Session(region_name=REGION),
    )
    result: dict[str, Any] = translator.translate(
        sam_template=copy.deepcopy(template),
        parameter_values={**values, **parameters},
        get_managed_policy_map=dict,
    )
    return result


def deploy_arguments(argv: list[str], cwd: str) -> dict[str, Any]:
    captured: dict[str, Any] = {}
    signature = inspect.signature(deploy_command.do_cli)

    def capture(*args: Any, **kwargs: Any) -> None:
        bound = signature.bind(*args, **kwargs).arguments
        captured.update({name: bound.get(name) for name in DEPLOY_ARGUMENTS})

    deploy_command.do_cli = capture
    os.chdir(cwd)
    cli.main(args=["deploy", *argv], prog_name="sam", standalone_mode=False)
    return captured


def main() -> None:
    request = json.load(sys.stdin)
    command = request["command"]
    if command == "deploy":
        print(json.dumps(deploy_arguments(request["argv"], request["cwd"]), default=str))
        return
    template = yaml_parse(Path(request["template"]).read_text(encoding="utf-8"))
    assert command == "transform", command
    print(json.dumps([transform(template, parameters) for parameters in request["parameter_sets"]]))


if __name__ == "__main__":
    main()
