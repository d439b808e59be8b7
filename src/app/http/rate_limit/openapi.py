"""OpenAPI of the rate-limited routes: 429 with `Retry-After`, and `RateLimit-*` on every answer."""

from typing import Any

from fastapi import FastAPI

from app.http.asgi import under_prefix
from app.http.errors.codes import CommonInternalCode
from app.http.openapi import (
    OpenApiDocument,
    document_error,
    extend_openapi,
    openapi_header,
    operations,
)

_RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": "Requests allowed per window",
    "RateLimit-Remaining": "Requests left in the window",
    "RateLimit-Reset": "Seconds until the window resets",
}


def _too_many_requests() -> dict[str, Any]:
    return document_error(
        CommonInternalCode.RATE_LIMITED, Retry_After="Seconds until the window resets"
    )


def document_rate_limit(app: FastAPI, path_prefix: str) -> None:
    """Documents the limit on every operation under `path_prefix`."""

    def step(document: OpenApiDocument) -> None:
        for path, _, operation in operations(document):
            if not under_prefix(path, path_prefix):
                continue
            responses = operation["responses"]
            responses["429"] = _too_many_requests()
            for response in responses.values():
                headers = response.setdefault("headers", {})
                for name, text in _RATE_LIMIT_HEADERS.items():
                    headers.setdefault(name, openapi_header(text))

    extend_openapi(app, step)
