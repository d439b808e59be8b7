"""OpenAPI documentation of the envelope errors and headers every route can answer with."""

from typing import Any

from fastapi import FastAPI

from app.shared.base_responses import ErrorEnvelope
from app.shared.route_path import under_prefix

_REQUEST_ID = {
    "description": "Trace id of the request; equals `trace_id` in the body.",
    "schema": {"type": "string"},
}
_RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": "Requests allowed per window",
    "RateLimit-Remaining": "Requests left in the window",
    "RateLimit-Reset": "Seconds until the window resets",
}


def openapi_header(description: str) -> dict[str, Any]:
    """A documented string response header."""
    return {"description": description, "schema": {"type": "string"}}


def openapi_error(description: str, **headers: str) -> dict[str, Any]:
    """An error response in the envelope; `Retry_After="..."` documents `Retry-After`."""
    documented = {name.replace("_", "-"): openapi_header(text) for name, text in headers.items()}
    return {"model": ErrorEnvelope, "description": description, "headers": documented}


COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: openapi_error("Route or resource not found (8002, or the domain's not-found code)"),
    405: openapi_error("Method not allowed (8003)", Allow="Allowed methods"),
    413: openapi_error("Request body too large (8004)"),
    422: openapi_error("Request validation failed, every offending field named (8001)"),
    500: openapi_error("Unexpected error (100); no internal detail is exposed"),
    503: openapi_error("A store is unavailable or timed out (9001-9003)", Retry_After="Seconds"),
}

_TOO_MANY_REQUESTS: dict[str, Any] = {
    "description": "Rate limit exceeded (8005)",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}},
    "headers": {"Retry-After": openapi_header("Seconds until the window resets")},
}


def document_common_headers(app: FastAPI, rate_limited_prefix: str) -> None:
    """`X-Request-ID` on every response; 429 and `RateLimit-*` on the rate-limited routes."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()  # also cached by FastAPI, so this runs once
        for path, operations in schema["paths"].items():
            limited = under_prefix(path, rate_limited_prefix)
            for operation in operations.values():
                responses = operation["responses"]
                if limited:
                    responses["429"] = {
                        **_TOO_MANY_REQUESTS,
                        "headers": dict(_TOO_MANY_REQUESTS["headers"]),
                    }
                for response in responses.values():
                    headers = response.setdefault("headers", {})
                    headers.setdefault("X-Request-ID", _REQUEST_ID)
                    if limited:
                        for name, text in _RATE_LIMIT_HEADERS.items():
                            headers.setdefault(name, openapi_header(text))
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented extension point
