"""`make rename name=<service>`: give the service its own name, everywhere it is written.

The name is the SAM template's `ServiceName` default: it prefixes the stacks, functions, log
groups, alarms, secret names, the ECR repository and the CD role's policy in `infra/`, the
compose project, and it is the app's `SERVICE_NAME` (logs, Sentry, Redis key prefixes, `GET
/`). This replaces the current name (read from the template) in every file that carries it;
run it again to rename again. Deployed stacks keep their old names: rename before the first
deploy, or plan the move (docs/deploy.md).
"""

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path("infra/template.yaml")
# Where the name is written: infrastructure, compose, the IAM policies, the deploy docs.
FILES = (
    TEMPLATE,
    Path("infra/samconfig.toml"),
    Path("infra/iam/cd-policy.json"),
    Path("infra/iam/permissions-boundary.json"),
    Path("docker-compose.yml"),
    Path("docker_images/compose.env"),
    Path("docs/deploy.md"),
    Path("docs/auth.md"),
)
# The app's own default (settings and .env.example), "app" until renamed, and the title of
# its committed OpenAPI document (`make openapi`).
SETTINGS = (Path("src/app/core/settings/base.py"), Path(".env.example"), Path("openapi.json"))
_SETTINGS_DEFAULTS = (
    re.compile(r'(service_name: str = Field\(default=")([a-z][a-z0-9-]*)(")'),
    re.compile(r"^(SERVICE_NAME=)([a-z][a-z0-9-]*)()$", re.MULTILINE),
    re.compile(r'^(  "info": \{\n    "title": ")([a-z][a-z0-9-]*)(")', re.MULTILINE),
)
# The template's pattern for ServiceName: stack, role and function names stay within limits.
NAME = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
_CURRENT = re.compile(
    r"^  ServiceName:\n(?:    .*\n)*?    Default: ([a-z][a-z0-9-]*)$", re.MULTILINE
)


class RenameError(Exception):
    """Why nothing was renamed."""


def current_name(root: Path) -> str:
    found = _CURRENT.search((root / TEMPLATE).read_text())
    if found is None:
        raise RenameError(f"no ServiceName default in {TEMPLATE}")
    return found[1]


def rename(root: Path, new: str) -> list[Path]:
    """Write `new` wherever the current name is; return the files changed."""
    if not NAME.fullmatch(new) or new.endswith("-") or "--" in new:
        raise RenameError(
            f"{new!r} is not a service name: lowercase letters, digits and single hyphens, "
            "starting with a letter, at most 41 characters"
        )
    old = current_name(root)
    if new == old:
        raise RenameError(f"the service is already called {old}")
    # Whole names only ("github-cd-fastapi-lambda", "fastapi-lambda-production"), not a name
    # that merely starts or ends with the same letters.
    whole = re.compile(rf"(?<![a-z0-9]){re.escape(old)}(?![a-z0-9])")
    changed = {path: whole.sub(new, (root / path).read_text()) for path in FILES}
    for path, pattern in zip(SETTINGS, _SETTINGS_DEFAULTS, strict=True):
        changed[path] = pattern.sub(rf"\g<1>{new}\g<3>", (root / path).read_text(), count=1)
    written = []
    for path, text in changed.items():
        if (root / path).read_text() != text:
            (root / path).write_text(text)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--name", required=True, help="the new name, e.g. orders-api")
    args = parser.parse_args(argv)
    try:
        old = current_name(ROOT)
        written = rename(ROOT, args.name)
    except RenameError as error:
        print(f"make rename: {error}", file=sys.stderr)
        return 2
    print(f"renamed {old} to {args.name} in: {', '.join(str(path) for path in written)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
