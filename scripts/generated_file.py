"""Files generated from the code (the error-code table, openapi.json): written by their make
target, checked by the suite."""

import sys
from pathlib import Path


def write_or_check(path: Path, text: str, *, check: bool, command: str) -> int:
    """Write `text` to `path`; with `check`, exit status 1 when the file differs instead."""
    if check:
        if not path.is_file() or path.read_text() != text:
            print(f"{path} is stale: run `{command}`", file=sys.stderr)
            return 1
        return 0
    path.write_text(text)
    print(f"wrote {path.name}")
    return 0
