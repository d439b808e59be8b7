"""ISBN validation: ISBN-10 or ISBN-13 with a valid check digit, normalised to 13 digits."""

import re

# What an ISBN may be written with: digits, X, hyphens and spaces (its OpenAPI pattern).
ISBN_CHARACTERS = r"^[0-9Xx -]+$"
_SEPARATORS = re.compile(r"[ -]")
_ISBN_10 = re.compile(r"\d{9}[\dX]")
_ISBN_13 = re.compile(r"97[89]\d{10}")


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
    isbn = _SEPARATORS.sub("", value).upper()
    if _ISBN_13.fullmatch(isbn):
        if isbn[-1] != _isbn_13_check_digit(isbn[:12]):
            raise ValueError("ISBN-13 check digit is wrong")
        return isbn
    if _ISBN_10.fullmatch(isbn):
        if not _isbn_10_is_valid(isbn):
            raise ValueError("ISBN-10 check digit is wrong")
        first_12 = "978" + isbn[:9]
        return first_12 + _isbn_13_check_digit(first_12)
    raise ValueError("must be an ISBN-10 or ISBN-13 (digits, optional hyphens or spaces)")
