"""Small random-data builders for book tests: unique authors and titles, valid ISBNs."""

import secrets
from typing import Any

import httpx

from app.domains.books.isbn import normalise_isbn
from tests.support.envelope import assert_envelope


def an_isbn() -> str:
    """A random valid ISBN-13."""
    first_12 = "978" + "".join(str(secrets.randbelow(10)) for _ in range(9))
    weighted = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first_12))
    return first_12 + str(-weighted % 10)


def an_isbn_10() -> str:
    """A random valid ISBN-10, digits only."""
    first_9 = "".join(str(secrets.randbelow(10)) for _ in range(9))
    check = -sum(int(digit) * (10 - index) for index, digit in enumerate(first_9)) % 11
    return first_9 + ("X" if check == 10 else str(check))


def reads_as_an_isbn(written: str) -> bool:
    """The validator takes `written` for an ISBN, whether or not its check digit is right."""
    try:
        normalise_isbn(written)
    except ValueError as error:
        return "check digit" in str(error)
    return True


def an_author() -> str:
    """An author no other test uses, so a list filtered by it sees only this test's books."""
    return f"Author {secrets.token_hex(6)}"


def book_payload(**fields: Any) -> dict[str, Any]:
    """A valid POST /v1/books body; keyword arguments override or add fields."""
    payload: dict[str, Any] = {
        "title": f"Title {secrets.token_hex(4)}",
        "author": an_author(),
        "year": 1900 + secrets.randbelow(120),
        "type": "physical",
        "isbn": an_isbn(),
    }
    return {**payload, **fields}


async def create_book(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    """POST a book through the API and return its data."""
    book: dict[str, Any] = assert_envelope(
        await client.post("/v1/books", json=book_payload(**fields)), 201
    )
    return book
