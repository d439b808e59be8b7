"""`make openapi`: write openapi.json, the API's contract as a deployment publishes it.

The document is committed so that a pull request shows every change to the contract, the
suite fails when the app's document differs from the file (`--check`), and CI compares it with
the base branch's and fails on a breaking change (.github/workflows/api-contract.yml). It is
built from the code's defaults with authentication on, as deployed, whatever the environment
or `.env` says. Schemas whose bound moves with the calendar (`x-maximum: next year`) keep that
name and leave the number out, so the file does not go stale on the first of January.
"""

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Importing app.main builds an app from the environment's settings: the testing ones need
# nothing set, whatever the shell says. The contract has settings of its own (below).
os.environ["ENVIRONMENT"] = "testing"

from app.core.settings.base import BaseAppSettings  # noqa: E402
from app.main import create_app  # noqa: E402
from scripts.generated_file import write_or_check  # noqa: E402

OPENAPI_JSON = ROOT / "openapi.json"
# What a schema says instead of a number that moves with the calendar.
MOVING_MAXIMUM = "x-maximum"


def contract() -> dict[str, Any]:
    """The app's OpenAPI document as a deployment publishes it, without the moving numbers."""
    defaults = BaseAppSettings.model_fields
    settings = BaseAppSettings(
        service_name=defaults["service_name"].default,
        release=defaults["release"].default,
        auth_enabled=True,
        # Named nowhere in the document, but required with authentication on.
        auth_issuer="https://issuer.example.com",
        auth_audience=["api"],
    )
    document: dict[str, Any] = _without_moving_numbers(create_app(settings).openapi())
    return document


def _without_moving_numbers(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: _without_moving_numbers(value)
            for key, value in node.items()
            if not (key == "maximum" and MOVING_MAXIMUM in node)
        }
    if isinstance(node, list):
        return [_without_moving_numbers(item) for item in node]
    return node


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail when openapi.json is stale")
    args = parser.parse_args(argv)
    text = render(contract())
    return write_or_check(OPENAPI_JSON, text, check=args.check, command="make openapi")


if __name__ == "__main__":
    sys.exit(main())
