"""docs/deploy.md's commands that need no AWS account, run as the guide writes them: the offline
checks of step 7 (CD's reading of samconfig.toml, `sam validate --lint`, CD's dry run, whose
`sam deploy` the SAM CLI then parses), the policy files filled as step 4 fills them, and the OIDC
subject the guide's repository setting produces, which the trust policy must match."""

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from scripts.cd import samconfig
from tests.fixtures.sam import ROOT, SamCli, service_name

SERVICE = service_name()
GUIDE = ROOT / "docs" / "deploy.md"
# The guide's placeholders, as a reader fills them in.
FILLED = {"ACCOUNT_ID": "123456789012", "REGION": "eu-west-1", "OWNER_REPO": "acme/orders-api"}


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", GUIDE.read_text(), re.S)


def documented(prefix: str, *words: str) -> str:
    """The guide's one command line starting with `prefix` and holding `words`, continuation
    lines joined."""
    lines = [
        line
        for block in blocks("bash")
        for line in block.replace("\\\n", " ").splitlines()
        if line.startswith(prefix) and all(word in line for word in words)
    ]
    assert len(lines) == 1, f"docs/deploy.md shows {len(lines)} commands starting {prefix!r}"
    return re.sub(r"\s+", " ", lines[0]).strip()


def run(command: str) -> subprocess.CompletedProcess[str]:
    """The command line as a shell at the repository's root runs it."""
    return subprocess.run(
        ["bash", "-c", command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "SAM_CLI_TELEMETRY": "0"},
    )


def test_the_settings_check_reads_the_environment_as_cd_does() -> None:
    result = run(documented(".tools/sam/bin/python -m scripts.cd config"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"stack_name={SERVICE}-development" in result.stdout.splitlines()


def test_the_template_check_passes() -> None:
    result = run(documented(".tools/sam/bin/sam validate --lint"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout


def test_the_dry_run_prints_the_sam_deploy_cd_runs(
    sam_cli: SamCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the guide's dry run (a Sentry DSN in the environment, as CD passes it)
    monkeypatch.setenv("SENTRY_DSN", "https://public@o1.ingest.sentry.io/1")
    command = documented(".tools/sam/bin/python -m scripts.cd deploy", "--dry-run")

    result = run(command)

    # Then it prints one `sam deploy` command, the DSN masked
    assert result.returncode == 0, result.stdout + result.stderr
    (printed,) = result.stdout.splitlines()
    assert "SentryDsn=***" in printed
    assert "public@" not in printed
    # And the SAM CLI reads it as the environment's settings plus the code and the release
    deployed = sam_cli.deploy_arguments(*shlex.split(printed)[2:])
    overrides = deployed["parameter_overrides"]
    expected = samconfig.load("development").parameters
    assert {name: overrides[name] for name in expected} == expected
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert overrides["Release"] == head
    assert overrides["ImageUri"].endswith(f"/{SERVICE}:{head}-x86_64")
    assert deployed["stack_name"] == f"{SERVICE}-development"


def test_the_filled_policies_are_complete(tmp_path: Path) -> None:
    # Given the guide's `fill` and the variables it asks for
    (definition,) = [
        block[block.index("fill() {") : block.index("\n}\n") + 3]
        for block in blocks("bash")
        if "fill() {" in block
    ]
    variables = " ".join(f"{name}={value}" for name, value in FILLED.items())
    for policy in sorted((ROOT / "infra" / "iam").glob("*.json")):
        script = f"{definition}\n{variables}\nfill {shlex.quote(str(policy))}"
        filled = subprocess.run(
            ["bash", "-c", script], capture_output=True, text=True, check=True
        ).stdout

        # Then each is a policy with no placeholder left
        assert not re.search(r"ACCOUNT_ID|REGION|OWNER", filled), policy.name
        assert json.loads(filled)["Version"] == "2012-10-17"


def test_the_documented_subject_setting_produces_the_trusted_subjects() -> None:
    # Given the repository setting of step 4, and the claims of a CD run in an environment
    bodies = [
        json.loads(body) for body in re.findall(r"<<'JSON'\n(.*?)\nJSON", GUIDE.read_text(), re.S)
    ]
    (setting,) = [body for body in bodies if "include_claim_keys" in body]
    trust = json.loads((ROOT / "infra" / "iam" / "cd-trust-policy.json").read_text())
    trusted = trust["Statement"][0]["Condition"]["StringEquals"][
        "token.actions.githubusercontent.com:sub"
    ]
    workflow = "OWNER/REPO/.github/workflows/cd.yml@refs/heads/main"

    for environment in ("production", "staging", "development"):
        claims = {
            "repo": "OWNER/REPO",
            "context": f"environment:{environment}",
            "job_workflow_ref": workflow,
        }
        # GitHub's subject: each key and its claim, in order; `context` without its key
        parts = []
        for key in setting["include_claim_keys"]:
            parts.append(claims[key] if key == "context" else f"{key}:{claims[key]}")
        assert ":".join(parts) in trusted
