"""scripts/lint_infra.sh: each linter is real, fails on a broken file, and the tree passes."""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "lint_infra.sh"
LINTERS = ("actionlint", "hadolint", "cfn-lint", "sam", "compose")
INFRA_FILES = (
    ".github/workflows",
    "docker_images",
    "infra/template.yaml",
    "docker-compose.yml",
)

Breakage = Callable[[Path], None]


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    """The same invocation as `make lint`, with the tools of the venv running the tests."""
    return subprocess.run(
        ["bash", str(SCRIPT), str(root)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "VENV": sys.prefix},
    )


def copy_infra(destination: Path) -> Path:
    for relative in INFRA_FILES:
        source, target = REPO / relative, destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    return destination


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_workflow_needing_missing_job(root: Path) -> None:
    (root / ".github/workflows/broken.yml").write_text(
        "on: push\n"
        "permissions: {}\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-24.04\n"
        "    needs: no-such-job\n"
        "    steps:\n"
        "      - run: echo hello\n",
        encoding="utf-8",
    )


def add_untagged_dockerfile(root: Path) -> None:
    broken = root / "docker_images/broken/Dockerfile"
    broken.parent.mkdir(parents=True)
    broken.write_text("FROM python\nRUN cd /tmp && sudo make\n", encoding="utf-8")


def use_unknown_alarm_statistic(root: Path) -> None:
    replace_once(root / "infra/template.yaml", "Statistic: Sum", "Statistic: Everything")


def route_to_an_undefined_authorizer(root: Path) -> None:
    """Valid for the schemas cfn-lint checks SAM resources against; the translator refuses it."""
    replace_once(
        root / "infra/template.yaml",
        "            Path: /\n            Method: ANY\n",
        "            Path: /\n            Method: ANY\n"
        "            Auth:\n              Authorizer: Nobody\n",
    )


def break_compose_yaml(root: Path) -> None:
    with (root / "docker-compose.yml").open("a", encoding="utf-8") as compose:
        compose.write("broken: [unclosed\n")


def drop_redis_healthcheck(root: Path) -> None:
    replace_once(
        root / "docker-compose.yml",
        '    healthcheck:\n      test: ["CMD", "redis-cli", "ping"]\n',
        '    x-no-healthcheck:\n      test: ["CMD", "redis-cli", "ping"]\n',
    )


def test_repository_passes() -> None:
    result = lint(REPO)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "lint_infra: all passed" in result.stdout


def test_unchanged_copy_passes(tmp_path: Path) -> None:
    # Given a copy of the delivery files (what the breakage tests start from)
    root = copy_infra(tmp_path)

    # When it is linted, Then every linter passes
    result = lint(root)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("linter", "breakage"),
    [
        ("actionlint", add_workflow_needing_missing_job),
        ("hadolint", add_untagged_dockerfile),
        ("cfn-lint", use_unknown_alarm_statistic),
        ("sam", route_to_an_undefined_authorizer),
        ("compose", break_compose_yaml),
        ("compose", drop_redis_healthcheck),
    ],
    ids=lambda value: value if isinstance(value, str) else value.__name__,
)
def test_broken_file_fails_its_linter_only(tmp_path: Path, linter: str, breakage: Breakage) -> None:
    # Given a copy of the delivery files with one file broken
    root = copy_infra(tmp_path)
    breakage(root)

    # When it is linted
    result = lint(root)

    # Then the run fails and names that linter, and only that one
    assert result.returncode != 0
    assert f"lint_infra: FAILED: {linter}\n" in result.stderr, result.stdout + result.stderr


def test_missing_files_fail_rather_than_pass(tmp_path: Path) -> None:
    # Given a folder with none of the delivery files, When it is linted
    result = lint(tmp_path)

    # Then every linter reports a failure instead of checking nothing
    assert result.returncode != 0
    assert f"lint_infra: FAILED: {' '.join(LINTERS)}\n" in result.stderr
