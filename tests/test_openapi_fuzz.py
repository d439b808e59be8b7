"""The OpenAPI document says exactly what the API does: schemathesis, every check, through its
examples, coverage, fuzzing and stateful phases, with the project's fixed seed (scripts/fuzz.py,
which `make fuzz` runs with a new seed each time). Any failure fails the suite, with
schemathesis' report. And what schemathesis takes for valid from the document alone, where no
hook helps it, is valid."""

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
from tests.domains.books.factories import reads_as_an_isbn

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


# The book operations that take If-Match or an ISBN.
BOOK_WRITES = (
    ("/v1/books", "POST"),
    ("/v1/books/{book_id}", "PUT"),
    ("/v1/books/{book_id}", "PATCH"),
    ("/v1/books/{book_id}", "DELETE"),
)


def _positive_coverage_cases(app: FastAPI) -> list[Any]:
    """The requests schemathesis' coverage phase builds as valid for the book writes, from the
    document alone."""
    schema = schemathesis.openapi.from_dict(app.openapi())
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    cases = []
    for path, method in BOOK_WRITES:
        operation = schema[path][method]
        config = schema.config.generation_for(operation=operation)
        cases += [
            case
            for case in schema.iter_coverage_cases(
                operation, generation_modes=modes, generation_config=config
            )
            if case.meta is not None and case.meta.generation.mode.is_positive
        ]
    return cases


def test_valid_if_match_and_isbn_values_drawn_from_the_document_are_valid(app: FastAPI) -> None:
    cases = _positive_coverage_cases(app)
    if_matches = [
        value
        for case in cases
        for name, value in (case.headers or {}).items()
        if name.lower() == "if-match"
    ]
    isbns = [
        case.body["isbn"]
        for case in cases
        if isinstance(case.body, dict) and isinstance(case.body.get("isbn"), str)
    ]
    assert if_matches
    assert isbns
    for value in if_matches:
        try:
            parse_if_match(value)
        except BadRequestError:
            raise AssertionError(f"If-Match: {value!r} is documented as valid") from None
    # Only the check digit is beyond a pattern: the fuzz hooks give one (the isbn format)
    assert [isbn for isbn in isbns if not reads_as_an_isbn(isbn)] == []
