"""Schemathesis hooks for `make fuzz` (SCHEMATHESIS_HOOKS=scripts.fuzz_hooks).

- ISBNs: the OpenAPI document names the `isbn` format, whose check digit no JSON Schema
  pattern can express; valid ones are generated for it.
- Stateful headers: a schema-valid `If-Match` names some version, and a schema-valid
  `Idempotency-Key` may repeat one already used with another body; the API then rightly
  answers 412 and 422, which schemathesis would count as valid data rejected. In requests
  meant to be valid, `If-Match` becomes `*` and each `Idempotency-Key` a fresh one (the
  suite tests versions and key reuse itself). Schemathesis also cannot put a quoted value in
  a header in its coverage phase, so this is where valid `If-Match` values come from.
  Malformed values, meant to be rejected, are sent as generated.
- ISBNs in requests meant to be valid: the coverage phase fills a string by its pattern and
  lengths alone, so a body's `isbn` (or an imported book's) is given a valid check digit there
  too.
"""

import hashlib
import uuid
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


@schemathesis.hook
def before_call(ctx: Any, case: Any, **kwargs: Any) -> None:
    if not _meant_valid(case):
        return
    body = case.body
    books = body.get("books") if isinstance(body, dict) else None
    for book in [body, *books] if isinstance(books, list) else [body]:
        if (
            isinstance(book, dict)
            and isinstance(book.get("isbn"), str)
            and not _valid_isbn(book["isbn"])
        ):
            digits = str(int(hashlib.sha256(book["isbn"].encode()).hexdigest(), 16))[:9]
            book["isbn"] = _isbn_13(digits)
    for name in list(case.headers or ()):
        if name.lower() == "if-match":
            case.headers[name] = "*"
        elif name.lower() == "idempotency-key":
            case.headers[name] = str(uuid.uuid4())
