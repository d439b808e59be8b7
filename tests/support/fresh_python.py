"""Run a snippet in a fresh interpreter, for what only a new process shows (imports, gc)."""

import subprocess
import sys


def fresh_python(code: str, **env: str) -> str:
    """The snippet's stdout; it fails the test when the snippet fails. `env` is all it gets."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "", **env},
    )
    return result.stdout
