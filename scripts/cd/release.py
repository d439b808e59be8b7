"""Which commit CD deploys, and where.

After CI succeeds on a push, that commit goes to its branch's environment. A manual run names a
branch: CD takes the branch's head commit now, and deploys it only if CI passed on it.
"""

import json
import os
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from scripts.cd.errors import CdError

# The one branch -> environment map. The names are those of the GitHub Environments, of the
# infra/samconfig.toml sections and of the app's ENVIRONMENT setting.
ENVIRONMENTS = {"main": "production", "staging": "staging", "development": "development"}
CI_WORKFLOW = "ci.yml"
# CD runs from here: workflow_run always runs this branch's copy of cd.yml, a manual run must
# too, and the deploy role trusts only its runs (infra/iam/cd-trust-policy.json).
DEFAULT_BRANCH = "main"


@dataclass(frozen=True)
class Release:
    environment: str
    sha: str


class GitHub:
    """The few REST API calls CD makes, with the run's token (GITHUB_API_URL, GITHUB_REPOSITORY
    and GITHUB_TOKEN as Actions sets them)."""

    def __init__(self) -> None:
        self.api = os.environ.get("GITHUB_API_URL", "https://api.github.com")
        self.repository = os.environ["GITHUB_REPOSITORY"]
        self.token = os.environ["GITHUB_TOKEN"]

    def get(self, path: str, **query: str) -> Any:
        url = f"{self.api}/repos/{self.repository}/{path}"
        if query:
            url += f"?{urllib.parse.urlencode(query)}"
        request = urllib.request.Request(
            url,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self.token}",
                "X-GitHub-Api-Version": "2022-11-28",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def head_of(self, branch: str) -> str:
        sha: str = self.get(f"branches/{urllib.parse.quote(branch, safe='')}")["commit"]["sha"]
        return sha

    def ci_passed(self, sha: str) -> bool:
        runs = self.get(
            f"actions/workflows/{CI_WORKFLOW}/runs", head_sha=sha, event="push", per_page="100"
        )["workflow_runs"]
        return any(run["conclusion"] == "success" for run in runs)


def environment_of(branch: str) -> str:
    if branch not in ENVIRONMENTS:
        raise CdError(f"branch {branch!r} is not deployed anywhere")
    return ENVIRONMENTS[branch]


def resolve(
    event: str, branch: str, sha: str, run_from: str = "", github: GitHub | None = None
) -> Release:
    """The release of a `workflow_run` (CI succeeded on `sha`, a push to `branch`) or of a
    manual `workflow_dispatch` of `branch` (`sha` is then unused), started from the branch
    `run_from`: the default branch, whose workflow file the Environments admit."""
    environment = environment_of(branch)
    if event == "workflow_run":
        return Release(environment, sha)
    if event != "workflow_dispatch":
        raise CdError(f"CD does not deploy on {event!r}")
    if run_from != DEFAULT_BRANCH:
        raise CdError(
            f"start CD from {DEFAULT_BRANCH} (not {run_from or 'another branch'}) and pick the "
            "branch to deploy in the form"
        )
    github = github or GitHub()
    head = github.head_of(branch)
    if not github.ci_passed(head):
        raise CdError(
            f"CI has not passed on {head[:12]}, the head of {branch}: CD deploys only a commit "
            "whose CI passed (wait for CI, or re-run it)"
        )
    return Release(environment, head)
