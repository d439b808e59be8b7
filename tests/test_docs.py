"""The docs speak to the template's user: no issue numbers or commit hashes of its own
development (they mean nothing in a repository created from it), and every relative link
points at a file that exists."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ISSUE = re.compile(r"\b[Ii]ssues? #?\d+\b")
# 7 to 40 hex digits with at least one letter and one digit, not inside a UUID or a longer word
COMMIT = re.compile(r"(?<![\w-])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}(?![\w-])")
LINK = re.compile(r"\]\((?!https?://|#|mailto:)([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_no_issue_number_or_commit_hash(doc: Path) -> None:
    text = doc.read_text()
    assert not ISSUE.findall(text)
    assert not COMMIT.findall(text)


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_relative_links_point_at_files(doc: Path) -> None:
    missing = [
        target for target in LINK.findall(doc.read_text()) if not (doc.parent / target).exists()
    ]
    assert not missing
