"""OpenAPI of the idempotent routes: the exact `Idempotency-Key` schema (the route's
declaration documents the parameter), `Idempotent-Replayed` on success responses, and the
answers a key can get (400, 409, 422)."""

from typing import Any

from fastapi import FastAPI

from app.http.errors.codes import CommonInternalCode
from app.http.idempotency.records import IDEMPOTENCY_KEY_HEADER, KEY_PATTERN
from app.http.openapi import OpenApiDocument, document_error, extend_openapi, operations

# What the middleware accepts (it answers anything else with 400/8009 before the route runs).
_KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 257, "pattern": KEY_PATTERN}
_REPLAYED_HEADER = {
    "description": "`true` when this is the recorded response of an earlier request",
    "schema": {"type": "string", "enum": ["true"]},
}
_KEY_ERRORS = {
    "400": document_error("A malformed Idempotency-Key, or two of them (8009)"),
    "409": document_error(CommonInternalCode.IDEMPOTENCY_KEY_IN_FLIGHT, Retry_After="Seconds"),
    "422": document_error(CommonInternalCode.IDEMPOTENCY_KEY_REUSED),
}


def _add_error(responses: dict[str, Any], status: str, error: dict[str, Any]) -> None:
    """Document `error` under `status`, beside what the route already answers with it."""
    documented = responses.get(status)
    if documented is None:
        responses[status] = dict(error)
    elif error["description"] not in documented["description"]:
        documented["description"] += f"; or {error['description']}"


def document_idempotent_routes(app: FastAPI) -> None:
    def step(document: OpenApiDocument) -> None:
        for _, _, operation in operations(document):
            keys = [
                parameter
                for parameter in operation.get("parameters", ())
                if parameter["name"] == IDEMPOTENCY_KEY_HEADER
            ]
            if not keys:
                continue
            keys[0]["schema"] = dict(_KEY_SCHEMA)
            responses = operation["responses"]
            for status, response in responses.items():
                if status.startswith("2"):
                    response.setdefault("headers", {})["Idempotent-Replayed"] = _REPLAYED_HEADER
            for status, error in _KEY_ERRORS.items():
                _add_error(responses, status, error)

    extend_openapi(app, step)
