"""openapi.json is the app's OpenAPI document (`make openapi` writes it), so a pull request
shows every change to the API contract and CI can check it for breaking changes."""

import json
from pathlib import Path

import pytest
from fastapi import FastAPI

from app.core.clock import utc_now
from scripts import openapi
from scripts.openapi import OPENAPI_JSON, contract, main


def _operations(document: dict[str, object]) -> set[str]:
    paths = document["paths"]
    assert isinstance(paths, dict)
    return {f"{method.upper()} {path}" for path, methods in paths.items() for method in methods}


def test_openapi_json_is_the_apps_document() -> None:
    committed = json.loads(OPENAPI_JSON.read_text())
    current = contract()
    added = _operations(current) - _operations(committed)
    removed = _operations(committed) - _operations(current)
    assert (added, removed) == (set(), set()), "operations changed: run `make openapi`"
    assert committed == current, "the document changed: run `make openapi`"


def test_make_openapi_writes_the_document_and_check_tells_a_stale_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "openapi.json"
    monkeypatch.setattr(openapi, "OPENAPI_JSON", target)
    assert main(["--check"]) == 1  # missing

    assert main([]) == 0
    assert json.loads(target.read_text()) == contract()
    assert main(["--check"]) == 0

    target.write_text(target.read_text().replace('"openapi": "3.1.0"', '"openapi": "3.0.3"'))
    assert main(["--check"]) == 1
    assert "run `make openapi`" in capsys.readouterr().err


def _moving_bounds(node: object) -> list[dict[str, object]]:
    """Every schema in `node` whose maximum moves with the calendar."""
    if isinstance(node, dict):
        found = [node] if "x-maximum" in node else []
        return found + [schema for value in node.values() for schema in _moving_bounds(value)]
    if isinstance(node, list):
        return [schema for item in node for schema in _moving_bounds(item)]
    return []


def test_the_year_bound_is_a_number_served_and_a_name_committed(app: FastAPI) -> None:
    # The bound moves each first of January: a number in the file would go stale then.
    served, committed = _moving_bounds(app.openapi()), _moving_bounds(contract())
    assert len(served) == len(committed) >= 3  # the year of a create, a replace and a patch
    assert all(schema["maximum"] == utc_now().year + 1 for schema in served)
    assert all(schema["x-maximum"] == "next year" for schema in committed)
    assert not any("maximum" in schema for schema in committed)
