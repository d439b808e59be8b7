"""CI keeps what the suite cannot check from here: `make module` leaves a green suite, the fuzz
runs with new seeds, the API contract has no unintended break, the locked dependencies have no
known vulnerability, and Dependabot keeps the lock, the actions and the base images current."""

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"


def _load(path: Path) -> dict[Any, Any]:
    document: dict[Any, Any] = yaml.safe_load(path.read_text())
    return document


def _runs(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def _uses(job: dict[str, Any]) -> list[str]:
    return [step["uses"] for step in job["steps"] if "uses" in step]


def test_a_job_generates_a_domain_per_store_then_lints_and_tests_everything() -> None:
    [job] = [
        job
        for job in _load(WORKFLOWS / "ci.yml")["jobs"].values()
        if any("make module" in run for run in _runs(job))
    ]
    commands = [line.strip() for run in _runs(job) for line in run.splitlines()]
    modules = [line for line in commands if line.startswith("make module")]
    assert {line.split("store=")[1] for line in modules} == {"postgres", "mongo"}
    lint, test = commands.index("make lint"), commands.index("make test")
    assert max(commands.index(line) for line in modules) < lint < test


def test_the_fuzz_job_draws_new_seeds() -> None:
    job = _load(WORKFLOWS / "ci.yml")["jobs"]["fuzz"]
    [run] = [run for run in _runs(job) if "make fuzz" in run]
    assert "for run in" in run
    assert "--seed" not in run


def test_the_audit_job_reads_the_whole_lock_with_hashes() -> None:
    job = _load(WORKFLOWS / "ci.yml")["jobs"]["audit"]
    export, audit = _runs(job)
    assert export.startswith("uv export --frozen")
    assert {"--all-extras", "--all-groups"} <= set(export.split())
    assert "pip-audit" in audit
    assert {"--require-hashes", "--disable-pip"} <= set(audit.split())


def test_pull_requests_are_checked_for_breaking_changes_unless_labelled() -> None:
    workflow = _load(WORKFLOWS / "api-contract.yml")
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert {"labeled", "unlabeled", "synchronize"} <= set(triggers["pull_request"]["types"])
    [job] = workflow["jobs"].values()
    [base] = [step for step in job["steps"] if step.get("with", {}).get("path") == "base"]
    assert base["with"]["ref"] == "${{ github.base_ref }}"
    [oasdiff] = [
        step for step in job["steps"] if "oasdiff-action/breaking@" in step.get("uses", "")
    ]
    assert len(oasdiff["uses"].split("@")[1].split()[0]) == 40  # pinned by commit
    assert oasdiff["with"]["revision"] == "openapi.json"
    assert "breaking-api-change" in oasdiff["with"]["fail-on"]
    assert "'ERR'" in oasdiff["with"]["fail-on"]
    assert oasdiff["with"]["review"] == "false"  # the documents stay in CI
    assert "`breaking-api-change`" in (ROOT / "README.md").read_text()


def test_dependabot_updates_the_lock_the_actions_and_every_base_image() -> None:
    updates = _load(ROOT / ".github" / "dependabot.yml")["updates"]
    by_ecosystem = {update["package-ecosystem"]: update for update in updates}
    assert by_ecosystem["uv"]["directory"] == "/"
    assert by_ecosystem["github-actions"]["directory"] == "/"
    dockerfiles = {
        f"/{path.parent.relative_to(ROOT)}"
        for path in (ROOT / "docker_images").rglob("Dockerfile*")
    }
    assert set(by_ecosystem["docker"]["directories"]) == dockerfiles
