"""OpenAPI documents Idempotency-Key and Idempotent-Replayed on the idempotent routes only."""

from typing import Any

import httpx

from app.main import IDEMPOTENT_ROUTES


async def test_idempotent_routes_document_the_key_and_the_replay_header(
    client: httpx.AsyncClient,
) -> None:
    first = (await client.get("/openapi.json")).json()
    again = (await client.get("/openapi.json")).json()
    assert first == again  # documented once, however often the schema is served

    for pattern in IDEMPOTENT_ROUTES:
        method, path = pattern.split(" ", 1)
        operation: dict[str, Any] = first["paths"][path][method.lower()]
        keys = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
        assert len(keys) == 1
        assert keys[0]["in"] == "header"
        assert "Idempotent-Replayed" in operation["responses"]["201"]["headers"]

    book = first["paths"]["/v1/books/{book_id}"]["get"]
    assert all(p["name"] != "Idempotency-Key" for p in book["parameters"])
    assert "X-Cache" in book["responses"]["200"]["headers"]
