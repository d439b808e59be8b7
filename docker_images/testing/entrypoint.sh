#!/usr/bin/env bash
# Entry point of the testing image: runs the suite with coverage and writes junit.xml,
# coverage.xml, htmlcov/ and coverage.svg into $REPORTS_DIR. Arguments are passed to pytest.
# Exits with the suite's status; the badge is still drawn when tests fail but coverage exists.
set -euo pipefail
cd "$(dirname "$0")/../.."

# shellcheck source=docker_images/testing/ci.env.sh
source docker_images/testing/ci.env.sh

reports_dir=${REPORTS_DIR:-reports}
mkdir -p "$reports_dir"

status=0
make test REPORTS_DIR="$reports_dir" PYTEST_ARGS="$*" || status=$?

if [[ -f "$reports_dir/coverage.xml" ]]; then
    .venv/bin/python scripts/coverage_badge.py "$reports_dir/coverage.xml" "$reports_dir/coverage.svg"
else
    echo "entrypoint: no coverage.xml in $reports_dir, no badge" >&2
fi
exit "$status"
