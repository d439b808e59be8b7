"""Book DTO rules that need no database: ISBN normalisation (and the document's pattern for
it) and the year bounds."""

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.core.clock import utc_now
from app.domains.books.isbn import normalise_isbn
from app.domains.books.schema import MIN_YEAR, BookCreate
from tests.domains.books.factories import book_payload, reads_as_an_isbn


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("978-0-306-40615-7", "9780306406157"),
        ("0-306-40615-2", "9780306406157"),  # the same book as its ISBN-10
        ("080442957X", "9780804429573"),
        ("080442957x", "9780804429573"),
        ("979 10 90636 07 1", "9791090636071"),
    ],
)
def test_valid_isbns_are_normalised_to_isbn_13(given: str, stored: str) -> None:
    assert normalise_isbn(given) == stored


@pytest.mark.parametrize(
    "given",
    ["978-0-306-40615-8", "0-306-40615-3", "977-0-306-40615-7", "12345", "X804429570", "abc"],
)
def test_malformed_isbns_are_refused(given: str) -> None:
    with pytest.raises(ValueError, match="ISBN"):
        normalise_isbn(given)


@pytest.mark.parametrize(
    "written",
    [
        "978-0-306-40615-7",
        "9780306406158",  # a wrong check digit: no pattern can tell
        "7115 6538x0",
        " -0-8044-2957-X- ",
        "X- 8Xx094102",
        "-8 x705x0X",
        "977-0-306-40615-7",
        "00000000000000000",
        "\u0660\u0663\u0660\u0666\u0664\u0660\u0666\u0661\u0665\u0662",  # Arabic-Indic digits
        "978-0-306-40615-7\n",
    ],
)
def test_the_documented_pattern_is_what_the_validator_reads(written: str) -> None:
    isbn = BookCreate.model_json_schema()["properties"]["isbn"]["anyOf"][0]
    documented = jsonschema_rs.validator_for(isbn).is_valid(written)
    assert documented is reads_as_an_isbn(written)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789Xx -7989", min_size=10, max_size=17))
def test_any_string_the_pattern_takes_the_validator_takes_and_no_other(written: str) -> None:
    isbn = BookCreate.model_json_schema()["properties"]["isbn"]["anyOf"][0]
    assert jsonschema_rs.validator_for(isbn).is_valid(written) is reads_as_an_isbn(written)


def test_year_may_be_next_year_but_not_later() -> None:
    next_year = utc_now().year + 1

    assert BookCreate.model_validate(book_payload(year=next_year)).year == next_year
    assert BookCreate.model_validate(book_payload(year=MIN_YEAR)).year == MIN_YEAR
    for year in (next_year + 1, MIN_YEAR - 1):
        with pytest.raises(ValidationError):
            BookCreate.model_validate(book_payload(year=year))
