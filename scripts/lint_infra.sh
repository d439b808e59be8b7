#!/usr/bin/env bash
# Offline validators of the delivery files, run by `make lint`: actionlint on the workflows,
# hadolint on every Dockerfile under docker_images/, cfn-lint on the SAM template, the SAM
# translator on it (`sam validate`: cfn-lint checks SAM resources against schemas, only the
# translator expands them as a deploy does) and a parse of docker-compose.yml. Every linter
# runs; the exit status is non-zero if any of them failed.
# Usage: scripts/lint_infra.sh [ROOT]   ROOT defaults to this repository (tests pass a copy).
# Tools come from ${VENV:-<repo>/.venv}/bin, the SAM CLI from ${SAM_ENV:-<repo>/.tools/sam}/bin.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "${1:-$repo}" && pwd) || exit 2
bin="${VENV:-$repo/.venv}/bin"
failed=()

check() {
    local name=$1
    shift
    echo "lint_infra: $name"
    if ! "$@"; then
        failed+=("$name")
    fi
}

workflows() {
    local files=("$root"/.github/workflows/*.y*ml)
    [[ -e "${files[0]}" ]] || { echo "no workflow in $root/.github/workflows" >&2; return 1; }
    "$bin/actionlint" -no-color "${files[@]}"
}

dockerfiles() {
    local files
    mapfile -t files < <(find "$root/docker_images" -type f \
        \( -name Dockerfile -o -name 'Dockerfile.*' \) 2>/dev/null | sort)
    [[ ${#files[@]} -gt 0 ]] || { echo "no Dockerfile under $root/docker_images" >&2; return 1; }
    "$bin/hadolint" --no-color "${files[@]}"
}

template() {
    "$bin/cfn-lint" -- "$root/infra/template.yaml"
}

translated() {
    SAM_CLI_TELEMETRY=0 "${SAM_ENV:-$repo/.tools/sam}/bin/sam" validate \
        --template "$root/infra/template.yaml" --region us-east-1
}

compose() {
    # YAML syntax, plus: every `condition: service_healthy` names a service with a healthcheck.
    "$bin/python" - "$root/docker-compose.yml" <<'PY'
import sys

import yaml

path = sys.argv[1]
with open(path, encoding="utf-8") as handle:
    document = yaml.safe_load(handle)
services = document.get("services") if isinstance(document, dict) else None
if not isinstance(services, dict) or not services:
    sys.exit(f"{path}: no services")
problems = []
for name, service in services.items():
    depends_on = (service or {}).get("depends_on") or {}
    for dependency, rule in (depends_on.items() if isinstance(depends_on, dict) else []):
        target = services.get(dependency)
        if target is None:
            problems.append(f"{name} depends on unknown service {dependency}")
        elif (rule or {}).get("condition") == "service_healthy" and "healthcheck" not in target:
            problems.append(f"{name} waits for {dependency} to be healthy: it has no healthcheck")
if problems:
    sys.exit("\n".join(f"{path}: {problem}" for problem in problems))
PY
}

check actionlint workflows
check hadolint dockerfiles
check cfn-lint template
check sam translated
check compose compose

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "lint_infra: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "lint_infra: all passed"
