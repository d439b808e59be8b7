"""Schemathesis hooks for `make fuzz`, loaded through schemathesis.toml (so also by any
`schemathesis run` started in this repository).

- ISBNs: the OpenAPI document states an ISBN's syntax exactly (its pattern) and names the
  `isbn` format for the check digit, which no JSON Schema pattern can express; valid ones are
  generated for that format. The coverage phase fills a string by its pattern and lengths
  alone, so in requests meant to be valid a body's `isbn` (or an imported book's) is given a
  valid check digit too.
- Two headers whose valid values depend on what the API did before, so a schema-valid value
  is rightly refused, narrowly corrected in requests meant to be valid (and only there):
  - `If-Match` names a version: any version but the current one is 412/1003. It becomes `*`.
  - `Idempotency-Key` names one request: the same key with another body is 422/8008, and
    schemathesis draws its keys from a small space, so it reuses them across bodies. Each
    becomes a fresh one.
  The suite tests versions and key reuse itself. Malformed values, meant to be rejected, are
  sent as generated.
"""

import hashlib
import uuid
from collections.abc import Iterator
from typing import Any

import schemathesis
from hypothesis import strategies as st

from app.domains.books.isbn import normalise_isbn


def _isbn_13(first_9: str) -> str:
    first_12 = "978" + first_9
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first_12))
    return first_12 + str(-total % 10)


def _written(isbn: str, hyphens: bool) -> str:
    return f"{isbn[:3]}-{isbn[3:12]}-{isbn[12]}" if hyphens else isbn


schemathesis.openapi.format(
    "isbn",
    st.builds(
        lambda digits, hyphens: _written(_isbn_13(digits), hyphens),
        st.text("0123456789", min_size=9, max_size=9),
        st.booleans(),
    ),
)


def _meant_valid(case: Any) -> bool:
    # The whole case's mode: the coverage phase marks a header it could not fill validly
    # (a quoted If-Match) as negative while it still expects the case to be accepted.
    return case.meta is not None and case.meta.generation.mode.is_positive


def _valid_isbn(value: str) -> bool:
    try:
        normalise_isbn(value)
    except ValueError:
        return False
    return True


def _objects(node: object) -> Iterator[dict[str, Any]]:
    """Every JSON object of a body, nested ones too (a book inside an import's list)."""
    if isinstance(node, dict):
        yield node
        for member in node.values():
            yield from _objects(member)
    elif isinstance(node, list):
        for item in node:
            yield from _objects(item)


@schemathesis.hook
def before_call(ctx: Any, case: Any, **kwargs: Any) -> None:
    if not _meant_valid(case):
        return
    for book in _objects(case.body):
        if isinstance(book.get("isbn"), str) and not _valid_isbn(book["isbn"]):
            digits = str(int(hashlib.sha256(book["isbn"].encode()).hexdigest(), 16))[:9]
            book["isbn"] = _isbn_13(digits)
    for name in list(case.headers or ()):
        if name.lower() == "if-match":
            case.headers[name] = "*"
        elif name.lower() == "idempotency-key":
            case.headers[name] = str(uuid.uuid4())
