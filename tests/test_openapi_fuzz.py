"""The OpenAPI document says exactly what the API does: schemathesis, every check, through its
examples, coverage, fuzzing and stateful phases, with the project's fixed seed (scripts/fuzz.py,
which `make fuzz` runs with a new seed each time). Any failure fails the suite, with
schemathesis' report. And the If-Match values schemathesis takes for valid from the document
alone, where no hook helps it, are valid."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import schemathesis
from fastapi import FastAPI
from schemathesis.generation import GenerationMode

from app.http.errors.exceptions import BadRequestError
from app.http.etags import parse_if_match

ROOT = Path(__file__).parents[1]
# The suite's run is repeatable; `make fuzz` (and CI's fuzz job) draw new seeds.
SEED = 20261129


def test_schemathesis_finds_no_failure() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/fuzz.py", "--max-examples", "25", "--seed", str(SEED)],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in report, report


def _positive_coverage_cases(document: dict[str, Any], path: str, method: str) -> list[Any]:
    """The requests schemathesis' coverage phase builds as valid for one operation, from the
    document alone (no hook)."""
    schema = schemathesis.openapi.from_dict(document)
    operation = schema[path][method]
    return [
        case
        for case in schema.iter_coverage_cases(
            operation,
            generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
            generation_config=schema.config.generation_for(operation=operation),
        )
        if case.meta is not None and case.meta.generation.mode.is_positive
    ]


def test_valid_if_match_values_drawn_from_the_document_are_valid(app: FastAPI) -> None:
    cases = _positive_coverage_cases(app.openapi(), "/v1/books/{book_id}", "DELETE")
    if_matches = [
        value
        for case in cases
        for name, value in (case.headers or {}).items()
        if name.lower() == "if-match"
    ]
    assert if_matches
    for value in if_matches:
        try:
            parse_if_match(value)
        except BadRequestError:
            raise AssertionError(f"If-Match: {value!r} is documented as valid") from None
