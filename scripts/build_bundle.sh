#!/usr/bin/env bash
# Builds the Lambda deployable for the python3.X runtime of PYTHON's version (make bundle: the
# venv's, PYTHON_VERSION) on x86_64: src/app plus runtime
# dependencies only (the same lock export as the deploy image), .pyc compiled, then zipped.
# Usage: scripts/build_bundle.sh [OUT_DIR]   (default dist; writes OUT_DIR/lambda and OUT_DIR/lambda.zip)
# REQUIREMENTS (a pinned, hashed requirements file) and APP_SOURCE (a package dir or a module)
# replace the lock export and src/app: bench/run.py bundles its reference apps this way.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/dist}" && cd "${1:-$root/dist}" && pwd)
uv=${UV:-uv}
python=${PYTHON:-$root/.venv/bin/python}
bundle=$out/lambda
requirements=${REQUIREMENTS:-$out/requirements.lambda.txt}
app_source=${APP_SOURCE:-$root/src/app}

# The wheels and the .pyc are for the interpreter that compiles them, the runtime's version.
python_version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

rm -rf "$bundle" "$out/lambda.zip"
mkdir -p "$bundle"
[[ -n ${REQUIREMENTS:-} ]] || UV="$uv" "$root/scripts/export-requirements.sh" "$requirements"

# manylinux_2_28 wheels run on Lambda's Amazon Linux 2023 (glibc 2.34); never build from source.
"$uv" pip install --quiet --target "$bundle" --requirement "$requirements" \
    --python-version "$python_version" --python-platform x86_64-manylinux_2_28 \
    --only-binary :all: --require-hashes --no-deps --link-mode copy

# Nothing the runtime loads: scripts, C headers, type stubs, the packages' own tests, and the
# debug symbols of extension modules (a third of their size).
rm -rf "$bundle/bin" "$bundle/include"
find "$bundle" -name __pycache__ -prune -exec rm -rf {} +
find "$bundle" -mindepth 2 -maxdepth 2 -type d -name tests -exec rm -rf {} +
find "$bundle" -name '*.pyi' -delete
if command -v strip >/dev/null; then find "$bundle" -name '*.so' -exec strip --strip-debug {} +; fi

# Lambda's code directory is read-only: without .pyc every cold start compiles from source.
# Dependencies ship as sourceless .pyc next to where their .py was (half the size); the app
# keeps its sources so its tracebacks show code. unchecked-hash: zip timestamps don't matter.
"$python" -m compileall -q -b -j 0 --invalidation-mode unchecked-hash "$bundle" >/dev/null
find "$bundle" -name '*.py' -delete
app=$bundle/$(basename "$app_source")
cp -r "$app_source" "$app"
find "$app" -name '*.pyc' -delete
find "$app" -name __pycache__ -prune -exec rm -rf {} +
"$python" -m compileall -q -j 0 --invalidation-mode unchecked-hash "$app" >/dev/null

(cd "$bundle" && zip -q -r -9 -X "$out/lambda.zip" .)
echo "bundle: $bundle ($(du -sh "$bundle" | cut -f1) unzipped, $(du -sh "$out/lambda.zip" | cut -f1) zipped)"
