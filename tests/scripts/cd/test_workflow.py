"""cd.yml and scripts/cd agree: each step calls a command the script has, with options it knows,
and the workflow deploys the commit the script resolved with the SAM CLI the Makefile pins."""

import re
import shlex
from typing import Any

import yaml

from scripts.cd.__main__ import parser
from tests.fixtures.sam import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "cd.yml"
# Values of the workflow's variables where any text would not do.
PLACEHOLDERS = {"EVENT": "workflow_dispatch"}


def steps() -> list[dict[str, Any]]:
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    return [step for job in jobs.values() for step in job["steps"]]


def test_every_cd_script_call_parses_as_a_command_of_the_script() -> None:
    calls = [
        re.sub(r"\\\n\s*", "", call)
        for step in steps()
        for call in re.findall(r"-m scripts\.cd (.+?)(?:\n(?!\s)|$)", step.get("run", ""), re.S)
    ]

    parsed = []
    for call in calls:
        # The shell's values stand in as placeholders; the code array is one of its forms.
        words = shlex.split(re.sub(r'"\$\{code\[@\]\}"', "--image-uri u", call))
        values = [
            re.sub(r"\$\{?(\w+)\}?", lambda found: PLACEHOLDERS.get(found[1], "x"), w)
            for w in words
        ]
        parsed.append(parser().parse_args(values))

    assert sorted(args.command for args in parsed) == sorted(
        ["resolve", "config", "image-exists", "push-image", "deploy"]
    )


def test_the_deploy_builds_and_deploys_the_resolved_commit() -> None:
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    (checkout,) = [
        s for s in jobs["deploy"]["steps"] if s.get("uses", "").startswith("actions/checkout")
    ]

    assert checkout["with"]["ref"] == "${{ needs.resolve.outputs.sha }}"
    assert jobs["deploy"]["env"]["SHA"] == "${{ needs.resolve.outputs.sha }}"
    assert "make sam-cli" in [step.get("run") for step in jobs["deploy"]["steps"]]
    assert "aws-sam-cli==" not in WORKFLOW.read_text()
