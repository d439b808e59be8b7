"""OpenAPI documents the books contract: envelope models, error codes and headers."""

import httpx


async def test_books_contract_is_documented(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    collection, item = paths["/v1/books"], paths["/v1/books/{book_id}"]

    assert {"ETag", "Location"} <= set(collection["post"]["responses"]["201"]["headers"])
    assert "409" in collection["post"]["responses"]
    assert "ETag" in item["get"]["responses"]["200"]["headers"]
    assert "404" in item["get"]["responses"]
    for method in ("put", "patch", "delete"):
        operation = item[method]
        assert {"400", "404", "412"} <= set(operation["responses"]), method
        assert "if-match" in {parameter["name"].lower() for parameter in operation["parameters"]}
    envelope = item["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert envelope.endswith("EnvelopeResponse_BookPublic_")
