"""OpenAPI of the idempotent routes: the `Idempotency-Key` header and `Idempotent-Replayed`."""

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI

from app.shared.idempotency import IDEMPOTENCY_KEY_HEADER

_KEY_PARAMETER = {
    "name": IDEMPOTENCY_KEY_HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": (
        "Makes retries safe: the first request with a key runs, a retry with the same key and "
        "request replays its response (`Idempotent-Replayed: true`) for 24 h. A duplicate "
        "while the first still runs: 409 (8007). The same key with another request: 422 "
        "(8008). A malformed key: 400 (8009). Redis unavailable: 503 (9003). Keys are scoped "
        "per client and route."
    ),
}
_REPLAYED_HEADER = {
    "description": "`true` when this is the recorded response of an earlier request",
    "schema": {"type": "string", "enum": ["true"]},
}


def document_idempotent_routes(app: FastAPI, patterns: Iterable[str]) -> None:
    """Adds the header to the operations named in `patterns` (`"POST /v1/books"`)."""
    operations = [pattern.split(" ", 1) for pattern in patterns]
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()  # also cached by FastAPI, so this runs once
        for method, path in operations:
            operation = schema["paths"].get(path, {}).get(method.lower())
            if operation is None:
                continue
            operation.setdefault("parameters", []).append(_KEY_PARAMETER)
            for status, response in operation["responses"].items():
                if status.startswith("2"):
                    response.setdefault("headers", {})["Idempotent-Replayed"] = _REPLAYED_HEADER
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented extension point
