"""OpenAPI: `X-Request-ID` on every response of every operation."""

from fastapi import FastAPI

from app.http.openapi import OpenApiDocument, extend_openapi, operations

_REQUEST_ID = {
    "description": "Trace id of the request; equals `trace_id` in the body.",
    "schema": {"type": "string"},
}


def document_request_id(app: FastAPI) -> None:
    def step(document: OpenApiDocument) -> None:
        for _, _, operation in operations(document):
            for response in operation["responses"].values():
                response.setdefault("headers", {}).setdefault("X-Request-ID", _REQUEST_ID)

    extend_openapi(app, step)
