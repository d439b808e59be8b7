"""OpenAPI documents Idempotency-Key and Idempotent-Replayed on the idempotent routes only."""

from typing import Any

import httpx

IDEMPOTENT_OPERATIONS = (("/v1/books", "post"), ("/v1/books/{book_id}/reviews", "post"))


async def test_idempotent_routes_document_the_key_and_the_replay_header(
    client: httpx.AsyncClient,
) -> None:
    first = (await client.get("/openapi.json")).json()
    again = (await client.get("/openapi.json")).json()
    assert first == again  # documented once, however often the schema is served

    declared = [
        (path, method)
        for path, operations in first["paths"].items()
        for method, operation in operations.items()
        if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", ()))
    ]
    assert set(IDEMPOTENT_OPERATIONS) <= set(declared)
    assert {method for _, method in declared} == {"post"}
    for path, method in IDEMPOTENT_OPERATIONS:
        operation: dict[str, Any] = first["paths"][path][method]
        [key] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
        assert key["in"] == "header"
        assert key["required"] is False
        assert key["schema"]["type"] == "string"
        assert {"minLength", "maxLength", "pattern"} <= set(key["schema"])
        assert "Idempotent-Replayed" in operation["responses"]["201"]["headers"]

    book = first["paths"]["/v1/books/{book_id}"]["get"]
    assert "X-Cache" in book["responses"]["200"]["headers"]
    assert all(
        "Idempotent-Replayed" not in r.get("headers", {}) for r in book["responses"].values()
    )
