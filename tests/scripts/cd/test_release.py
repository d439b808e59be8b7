"""Which commit CD deploys where: a push's commit after CI passed on it, and for a manual run the
branch's head only if CI passed on it (a GitHub REST API stand-in answers the lookups)."""

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from scripts.cd import release
from scripts.cd.errors import CdError
from tests.support.http_stub import HttpStub, RecordedRequest, http_stub

HEAD = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"


@dataclass
class GitHubStandIn:
    """Every branch's head is HEAD; `ci_runs` are CI's runs listed for it."""

    stub: HttpStub
    ci_runs: list[dict[str, object]] = field(default_factory=list)


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHubStandIn]:
    runs: list[dict[str, object]] = []

    def answer(request: RecordedRequest) -> tuple[int, object]:
        if request.path.startswith("/repos/acme/api/branches/"):
            return 200, {"name": request.path.rsplit("/", 1)[1], "commit": {"sha": HEAD}}
        if request.path.startswith("/repos/acme/api/actions/workflows/ci.yml/runs?"):
            return 200, {"total_count": len(runs), "workflow_runs": runs}
        return 404, {"message": "Not Found"}

    with http_stub(answer) as stub:
        monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{stub.port}")
        monkeypatch.setenv("GITHUB_REPOSITORY", "acme/api")
        monkeypatch.setenv("GITHUB_TOKEN", "ghs_example")
        yield GitHubStandIn(stub, runs)


def test_a_push_whose_ci_passed_goes_to_its_branch_environment() -> None:
    resolved = release.resolve("workflow_run", "main", HEAD)

    assert resolved == release.Release("production", HEAD)


def test_a_manual_run_deploys_the_branch_head_when_its_ci_passed(github: GitHubStandIn) -> None:
    github.ci_runs.extend([{"conclusion": "failure"}, {"conclusion": "success"}])

    resolved = release.resolve("workflow_dispatch", "staging", "", "main")

    assert resolved == release.Release("staging", HEAD)
    branch, runs = (request.path for request in github.stub.requests)
    assert branch == "/repos/acme/api/branches/staging"
    assert runs.startswith(f"/repos/acme/api/actions/workflows/ci.yml/runs?head_sha={HEAD}")
    assert "event=push" in runs
    assert {r.headers["authorization"] for r in github.stub.requests} == {"Bearer ghs_example"}


@pytest.mark.parametrize("conclusions", [[], ["failure"], [None, "cancelled"]])
def test_a_manual_run_of_a_commit_whose_ci_did_not_pass_is_refused(
    github: GitHubStandIn, conclusions: list[str | None]
) -> None:
    github.ci_runs.extend({"conclusion": conclusion} for conclusion in conclusions)

    with pytest.raises(CdError, match=f"CI has not passed on {HEAD[:12]}, the head of development"):
        release.resolve("workflow_dispatch", "development", "", "main")


def test_a_branch_without_an_environment_is_refused() -> None:
    with pytest.raises(CdError, match="branch 'feature/x' is not deployed anywhere"):
        release.resolve("workflow_run", "feature/x", HEAD)


def test_a_manual_run_from_another_branch_is_refused(github: GitHubStandIn) -> None:
    github.ci_runs.append({"conclusion": "success"})

    with pytest.raises(CdError, match="start CD from main"):
        release.resolve("workflow_dispatch", "main", "", "feature/x")
    assert github.stub.requests == []
