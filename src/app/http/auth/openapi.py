"""OpenAPI of the secured operations: the 401 and 403 envelopes with `WWW-Authenticate`.

The bearer scheme and each operation's scopes come from the routes' declarations. With
authentication off the document says so: no scheme, no security requirement.
"""

from fastapi import FastAPI

from app.http.errors.codes import CommonInternalCode
from app.http.openapi import OpenApiDocument, document_error, extend_openapi, operations

_UNAUTHENTICATED = document_error(
    CommonInternalCode.UNAUTHENTICATED,
    WWW_Authenticate='Bearer, or Bearer error="invalid_token" when a token was sent',
)
_FORBIDDEN = document_error(
    CommonInternalCode.FORBIDDEN,
    WWW_Authenticate='Bearer error="insufficient_scope", scope="<the missing scope>"',
)


def document_authentication(app: FastAPI, enabled: bool) -> None:
    def step(document: OpenApiDocument) -> None:
        for _, _, operation in operations(document):
            if not operation.get("security"):
                continue
            if enabled:
                operation["responses"].setdefault("401", dict(_UNAUTHENTICATED))
                operation["responses"].setdefault("403", dict(_FORBIDDEN))
            else:
                del operation["security"]
        if not enabled:
            document.get("components", {}).get("securitySchemes", {}).pop("bearer", None)
            if document.get("components", {}).get("securitySchemes") == {}:
                del document["components"]["securitySchemes"]

    extend_openapi(app, step)
