#!/usr/bin/env bash
# The runtime requirements of every deployable, exported from uv.lock: pinned, hashed, no dev
# tools, no project itself (src/app is copied as source). The Dockerfiles and `make bundle`
# install from this file with hash checking and binary wheels only.
# Usage: scripts/export-requirements.sh OUT_FILE [more `uv export` options, e.g. --extra server]
# UV names the uv binary when it is not on PATH (the Makefile's private copy).
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 OUT_FILE [uv export options]" >&2
    exit 2
fi
out_file=$1
shift

"${UV:-uv}" export --project "$(cd "$(dirname "$0")/.." && pwd)" \
    --frozen --no-dev --no-emit-project --no-header --no-annotate \
    --format requirements.txt --output-file "$out_file" --quiet "$@"
