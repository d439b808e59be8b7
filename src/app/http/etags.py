"""ETag and If-Match for resources versioned by an integer (RFC 9110 conditional requests)."""

import re
from typing import Annotated

from fastapi import Depends, FastAPI, Header

from app.http.errors.exceptions import BadRequestError
from app.http.openapi import OpenApiDocument, extend_openapi, openapi_error, operations

# Exactly what `parse_if_match` accepts, and the header's pattern in the OpenAPI document: `*`
# or a list of entity tags, each a version (RFC 9110 If-Match, with optional whitespace).
_TAG = r'(W/)?"[0-9]{1,18}"'
IF_MATCH_PATTERN = rf"^[ \t]*(\*|{_TAG}([ \t]*,[ \t]*{_TAG})*)[ \t]*$"
_IF_MATCH = re.compile(IF_MATCH_PATTERN)
_VERSION = re.compile(r'"([0-9]{1,18})"')

MALFORMED_IF_MATCH = openapi_error('Malformed If-Match: not "<version>", W/"<version>" or * (8009)')

# The versions a conditional write accepts; None when any current version will do.
ExpectedVersions = frozenset[int] | None


def version_etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(header: str | None) -> ExpectedVersions:
    """Versions named by `If-Match`: None without the header or for `*` (the resource must
    merely exist). A weak tag `W/"3"` counts as version 3: proxies that compress a response
    weaken its ETag, and a version number is exact either way.

    Anything else is malformed: 400/8009 rather than 412, which would tell the client the
    resource changed when in fact its request can never succeed.
    """
    if header is None:
        return None
    if not _IF_MATCH.fullmatch(header):
        raise BadRequestError(
            'Malformed If-Match header: expected "<version>", W/"<version>" or *',
            details={"header": "If-Match"},
        )
    return frozenset(int(version) for version in _VERSION.findall(header)) or None


async def _if_match(
    if_match: Annotated[
        str | None,
        Header(description='Write only if the current ETag is one of these, e.g. "3"; or *'),
    ] = None,
) -> ExpectedVersions:
    return parse_if_match(if_match)


IfMatchDep = Annotated[ExpectedVersions, Depends(_if_match)]


def document_if_match(app: FastAPI) -> None:
    """The exact `If-Match` schema on every operation that reads it (a malformed one is a 400)."""

    def step(document: OpenApiDocument) -> None:
        for _, _, operation in operations(document):
            for parameter in operation.get("parameters", ()):
                if parameter["name"].lower() == "if-match":
                    parameter["schema"] = _if_match_schema()

    extend_openapi(app, step)


def _if_match_schema() -> dict[str, object]:
    """The pattern, with `*` also spelled out as a constant: the valid value a generator can
    send when it cannot build a quoted header value from the pattern (schemathesis' coverage
    phase cannot)."""
    return {
        "anyOf": [
            {"const": "*", "description": "any current version"},
            {"type": "string", "pattern": IF_MATCH_PATTERN},
        ]
    }
