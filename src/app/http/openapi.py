"""OpenAPI helpers: documented headers and envelope errors, the errors every route can answer
with, and the one way features add their notes to the generated document."""

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI

from app.http.envelope import ErrorEnvelope
from app.http.errors.codes import InternalCodeBase

OpenApiDocument = dict[str, Any]
Operation = dict[str, Any]


def openapi_header(description: str) -> dict[str, Any]:
    """A documented string response header."""
    return {"description": description, "schema": {"type": "string"}}


def openapi_error(error: InternalCodeBase | str, **headers: str) -> dict[str, Any]:
    """An error response in the envelope, for a route's `responses`, described by its code (or
    a text); `Retry_After="..."` documents `Retry-After`."""
    return {"model": ErrorEnvelope, **_error_response(error, headers)}


def document_error(error: InternalCodeBase | str, **headers: str) -> dict[str, Any]:
    """The same as a response object of the generated document, for an OpenAPI step."""
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}
    return {"content": content, **_error_response(error, headers)}


def _error_response(error: InternalCodeBase | str, headers: dict[str, str]) -> dict[str, Any]:
    description = (
        f"{error.description} ({error.code})" if isinstance(error, InternalCodeBase) else error
    )
    documented = {name.replace("_", "-"): openapi_header(text) for name, text in headers.items()}
    return {"description": description, "headers": documented}


def openapi_links(parameter: str, *operation_ids: str) -> dict[str, Any]:
    """Links from a creation's response to the operations that take the new id as
    `parameter`: clients (and stateful fuzzers) follow them from `data.id`."""
    return {
        operation_id: {
            "operationId": operation_id,
            "parameters": {parameter: "$response.body#/data/id"},
        }
        for operation_id in operation_ids
    }


COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: openapi_error("Route or resource not found (8002, or the domain's not-found code)"),
    405: openapi_error("Method not allowed (8003)", Allow="Every method the path accepts"),
    413: openapi_error("Request body too large (8004)"),
    422: openapi_error("Request validation failed, every offending field named (8001)"),
    500: openapi_error("Unexpected error (100); no internal detail is exposed"),
    503: openapi_error(
        "A store, or the token issuer's keys, unavailable or timed out (9001-9003, 9005)",
        Retry_After="Seconds",
    ),
}


def extend_openapi(app: FastAPI, step: Callable[[OpenApiDocument], None]) -> None:
    """Run `step` on the generated document, once, when it is first built (FastAPI caches it)."""
    generate = app.openapi

    def openapi() -> OpenApiDocument:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        step(document)
        return document

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented extension point


def operations(document: OpenApiDocument) -> Iterator[tuple[str, str, Operation]]:
    """Every operation of the document as (path, method, operation)."""
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation
