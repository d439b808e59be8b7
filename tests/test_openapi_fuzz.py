"""The OpenAPI document says exactly what the API does: schemathesis, every check, through its
examples, coverage, fuzzing and stateful phases, with a fixed seed (scripts/fuzz.py, which
`make fuzz` also runs). Any failure fails the suite, with schemathesis' report."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_schemathesis_finds_no_failure() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/fuzz.py", "--max-examples", "25"],
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
