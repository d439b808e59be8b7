"""If-Match parsing: which versions a conditional write accepts, and what is malformed."""

import pytest

from app.http.errors.exceptions import BadRequestError
from app.http.etags import parse_if_match, version_etag


def test_etag_is_the_quoted_version() -> None:
    assert version_etag(3) == '"3"'


@pytest.mark.parametrize(
    ("header", "versions"),
    [
        (None, None),
        ("*", None),
        (' "3" ', frozenset({3})),
        ('W/"3"', frozenset({3})),
        ('"3", W/"5"', frozenset({3, 5})),
    ],
)
def test_accepted_versions(header: str | None, versions: frozenset[int] | None) -> None:
    assert parse_if_match(header) == versions


@pytest.mark.parametrize("header", ["", "3", '"three"', '"3",', '*, "3"', 'w/"3"', '"-1"'])
def test_malformed_headers_are_400(header: str) -> None:
    with pytest.raises(BadRequestError) as raised:
        parse_if_match(header)
    assert (raised.value.status_code, raised.value.code.code) == (400, 8009)
