"""If-Match parsing: which versions a conditional write accepts, what is malformed, and that
the OpenAPI document says exactly that."""

import jsonschema_rs
import pytest
from fastapi import FastAPI

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
        ('\t"3"\t,W/"5" ', frozenset({3, 5})),
    ],
)
def test_accepted_versions(header: str | None, versions: frozenset[int] | None) -> None:
    assert parse_if_match(header) == versions


MALFORMED = ["", "0", "3", '"three"', '"3",', '*, "3"', 'w/"3"', '"-1"', '"3"\n', '\x0b"3"', "* *"]


@pytest.mark.parametrize("header", MALFORMED)
def test_malformed_headers_are_400(header: str) -> None:
    with pytest.raises(BadRequestError) as raised:
        parse_if_match(header)
    assert (raised.value.status_code, raised.value.code.code) == (400, 8009)


def _documented_schemas(app: FastAPI) -> list[dict[str, object]]:
    document = app.openapi()
    return [
        parameter["schema"]
        for operations in document["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", ())
        if parameter["name"].lower() == "if-match"
    ]


@pytest.mark.parametrize("header", ["*", ' "3" ', 'W/"3"', '"3", W/"5"', *MALFORMED])
def test_the_document_accepts_exactly_what_the_parser_does(app: FastAPI, header: str) -> None:
    try:
        parse_if_match(header)
        parsed = True
    except BadRequestError:
        parsed = False
    schemas = _documented_schemas(app)
    assert len(schemas) >= 3  # PUT, PATCH and DELETE of a book, and of any versioned domain
    for schema in schemas:
        # JSON Schema's reading (ECMA-262 patterns: `$` is the very end, unlike Python's)
        assert jsonschema_rs.validator_for(schema).is_valid(header) is parsed
