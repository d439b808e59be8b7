"""OpenAPI of the idempotent routes: the exact `Idempotency-Key` schema (the route's
declaration documents the parameter) and `Idempotent-Replayed` on success responses."""

from fastapi import FastAPI

from app.http.idempotency.records import IDEMPOTENCY_KEY_HEADER, KEY_PATTERN
from app.http.openapi import OpenApiDocument, extend_openapi, operations

# What the middleware accepts (it answers anything else with 400/8009 before the route runs).
_KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 257, "pattern": KEY_PATTERN}
_REPLAYED_HEADER = {
    "description": "`true` when this is the recorded response of an earlier request",
    "schema": {"type": "string", "enum": ["true"]},
}


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
            for status, response in operation["responses"].items():
                if status.startswith("2"):
                    response.setdefault("headers", {})["Idempotent-Replayed"] = _REPLAYED_HEADER

    extend_openapi(app, step)
