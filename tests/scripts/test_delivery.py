"""Delivery files agree with each other: same dependency export, same handler, named secrets."""

import json
import re
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _read(relative: str) -> str:
    return (ROOT / relative).read_text()


def test_deploy_image_and_bundle_install_the_same_export() -> None:
    deploy = _read("docker_images/deploy/Dockerfile")
    bundle = _read("scripts/build_bundle.sh")
    assert "scripts/export-requirements.sh requirements.txt" in deploy
    assert "--require-hashes" in deploy
    assert "scripts/export-requirements.sh" in bundle
    assert "--require-hashes" in bundle


def test_deploy_image_runs_the_handler_the_bundle_test_imports() -> None:
    deploy = _read("docker_images/deploy/Dockerfile")
    assert deploy.rstrip().endswith('CMD ["app.main.handler"]')
    assert "from app.main import handler" in _read("tests/test_bundle.py")


def test_workflow_variables_and_secrets_are_documented() -> None:
    guide = _read("docs/deploy.md")
    names = {
        name
        for workflow in WORKFLOWS
        for name in re.findall(r"\b(?:vars|secrets)\.([A-Z][A-Z0-9_]+)", workflow.read_text())
    }
    assert names, "the workflows read no variables or secrets"
    assert {name for name in names if f"`{name}`" not in guide} == set()


def test_no_static_aws_keys_or_database_urls_are_committed() -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    key_pattern = re.compile(r"AKIA[0-9A-Z]{16}|aws_secret_access_key\s*[:=]", re.IGNORECASE)
    credential_url = re.compile(
        r"(?:postgresql|mongodb|redis)(?:\+\w+)?://[^/\s:@]+:[^@\s]+@([\w.-]+)"
    )
    # Throw-away credentials of CI service containers and the compose stack are fine.
    local_hosts = {"127.0.0.1", "localhost", "postgres", "mongo", "redis", "host"}
    offenders = []
    for name in tracked:
        path = ROOT / name
        if not path.is_file() or path.suffix in {".lock", ".svg", ".png"}:
            continue
        text = path.read_text(errors="ignore")
        if key_pattern.search(text):
            offenders.append(f"{name}: AWS key")
        for match in credential_url.finditer(text):
            if match[1] not in local_hosts and not name.startswith(("tests/", "docs/")):
                offenders.append(f"{name}: {match[0]}")
    assert offenders == []


def test_the_cd_role_policies_are_complete_once_their_placeholders_are_filled() -> None:
    fill = {"ACCOUNT_ID": "123456789012", "REGION": "eu-west-1", "OWNER/REPO": "acme/api"}
    for name in ("cd-trust-policy.json", "cd-policy.json", "permissions-boundary.json"):
        text = _read(f"infra/iam/{name}")
        for placeholder, value in fill.items():
            text = text.replace(placeholder, value)
        assert not re.search(r"ACCOUNT_ID|REGION|OWNER", text), name
        policy = json.loads(text)
        assert policy["Version"] == "2012-10-17"
        assert policy["Statement"]
    assert "infra/iam/cd-policy.json" in _read("docs/deploy.md")


def test_the_editor_launch_configurations_point_at_what_exists() -> None:
    launch = json.loads(_read(".vscode/launch.json"))
    tasks = {task["label"] for task in json.loads(_read(".vscode/tasks.json"))["tasks"]}
    api, tests = launch["configurations"]
    assert (ROOT / api["program"].replace("${workspaceFolder}/", "")).is_file()
    assert api["args"][:3] == ["run", "--data-dir", ".local"]
    assert "app.main:app" in api["args"]
    assert api["preLaunchTask"] in tasks
    assert tests["module"] == "pytest"
    assert "--no-cov" in tests["args"]  # coverage's tracer would hide breakpoints
    makefile = _read("Makefile")
    assert "\nmigrate:" in makefile


def test_the_python_version_is_one_setting_everywhere() -> None:
    """3.12 and 3.13, Lambda's Python runtimes: the lock covers both, CI tests both, and each
    deployable takes the version as one setting whose default is the Makefile's."""
    default = re.search(r"^PYTHON_VERSION \?= (\S+)$", _read("Makefile"), re.MULTILINE)
    assert default is not None
    versions = ["3.12", "3.13"]
    project = tomllib.loads(_read("pyproject.toml"))["project"]
    assert project["requires-python"] == ">=3.12,<3.14"
    assert 'requires-python = ">=3.12, <3.14"' in _read("uv.lock")
    ci = _read(".github/workflows/ci.yml")
    assert ci.count(f"python: {json.dumps(versions)}") == 2  # lint and test
    assert f'PYTHON_VERSION: "{default.group(1)}"' in ci

    template = _read("infra/template.yaml")
    parameter = re.split(r"\n  (?=\S)", template.split("\n  PythonVersion:\n", 1)[1], maxsplit=1)[0]
    assert f'Default: "{default.group(1)}"' in parameter
    assert f"AllowedValues: {json.dumps(versions)}" in parameter
    runtimes = re.findall(r"Runtime: (.+)", template)
    assert runtimes
    assert set(runtimes) == {"!Sub python${PythonVersion}"}
    samconfig = tomllib.loads(_read("infra/samconfig.toml"))
    for environment in samconfig.values():
        if isinstance(environment, dict):
            overrides = environment["deploy"]["parameters"]["parameter_overrides"]
            assert any(item.startswith("PythonVersion=") for item in overrides)
    cd = _read(".github/workflows/cd.yml")
    assert "PYTHON_VERSION: ${{ steps.config.outputs.python_version }}" in cd
    assert "python_version=config.python_version" in _read("scripts/cd/__main__.py")
    assert '--build-arg "PYTHON_VERSION=$PYTHON_VERSION"' in cd

    for dockerfile in sorted((ROOT / "docker_images").rglob("Dockerfile*")):
        text = dockerfile.read_text()
        assert f"ARG PYTHON_VERSION={default.group(1)}" in text.split("\nFROM ", 1)[0], dockerfile
        python_bases = re.findall(r"^FROM (\S*python:\S+)", text, re.MULTILINE)
        assert python_bases, dockerfile
        assert all("${PYTHON_VERSION}" in base for base in python_bases), python_bases
