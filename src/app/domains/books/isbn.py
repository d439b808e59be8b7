"""ISBN validation: ISBN-10 or ISBN-13 with a valid check digit, normalised to 13 digits."""

import re

# Exactly what `normalise_isbn` reads, the check digit aside (no pattern can state one), and
# the field's pattern in the OpenAPI document: an ISBN-13 (978 or 979, then 10 digits) or an
# ISBN-10 (9 digits, then a digit or X), with hyphens or spaces anywhere.
ISBN_PATTERN = r"^(?:[ -]*9[ -]*7[ -]*[89](?:[ -]*[0-9]){10}|(?:[ -]*[0-9]){9}[ -]*[0-9Xx])[ -]*$"
_ISBN = re.compile(ISBN_PATTERN)
_SEPARATORS = re.compile(r"[ -]")


def _isbn_13_check_digit(first_12: str) -> str:
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first_12))
    return str(-total % 10)


def _isbn_10_is_valid(isbn: str) -> bool:
    digits = [10 if char == "X" else int(char) for char in isbn]
    return (
        sum(digit * weight for digit, weight in zip(digits, range(10, 0, -1), strict=True)) % 11
        == 0
    )


def normalise_isbn(value: str) -> str:
    """The ISBN-13 digits of `value`; ISBN-10s are converted so one book has one ISBN.

    Raises ValueError for anything that is not a well-formed ISBN with a valid check digit.
    """
    if not _ISBN.fullmatch(value):
        raise ValueError("must be an ISBN-10 or ISBN-13 (digits, optional hyphens or spaces)")
    isbn = _SEPARATORS.sub("", value).upper()
    if len(isbn) == 13:
        if isbn[-1] != _isbn_13_check_digit(isbn[:12]):
            raise ValueError("ISBN-13 check digit is wrong")
        return isbn
    if not _isbn_10_is_valid(isbn):
        raise ValueError("ISBN-10 check digit is wrong")
    first_12 = "978" + isbn[:9]
    return first_12 + _isbn_13_check_digit(first_12)
