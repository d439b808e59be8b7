"""OpenAPI documents the envelope, every error response and the headers of each route."""

from typing import Any

import httpx
import pytest

from tests.conftest import AppFactory, app_client


@pytest.fixture
async def schema(app_factory: AppFactory) -> dict[str, Any]:
    async with app_client(app_factory()) as client:
        response = await client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


def test_every_response_documents_x_request_id(schema: dict[str, Any]) -> None:
    for path, method, operation in _operations(schema):
        for status, response in operation["responses"].items():
            assert "X-Request-ID" in response.get("headers", {}), (method, path, status)


def test_errors_are_documented_as_the_envelope(schema: dict[str, Any]) -> None:
    envelope_ref = "#/components/schemas/ErrorEnvelope"
    for path, method, operation in _operations(schema):
        for status in ("404", "422", "500", "503"):
            content = operation["responses"][status]["content"]["application/json"]
            assert content["schema"]["$ref"] == envelope_ref, (method, path, status)


def test_only_rate_limited_routes_document_429(schema: dict[str, Any]) -> None:
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        if path.startswith("/v1"):
            assert "Retry-After" in responses["429"]["headers"]
            success = next(status for status in responses if status.startswith("2"))
            assert "RateLimit-Remaining" in responses[success]["headers"]
        else:
            assert "429" not in responses, (method, path)


def test_each_operation_documents_one_success_status(schema: dict[str, Any]) -> None:
    for path, method, operation in _operations(schema):
        successes = [status for status in operation["responses"] if status.startswith("2")]
        assert len(successes) == 1, (method, path, successes)


async def test_health_documents_its_envelope(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    ok = schema["paths"]["/health"]["get"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("EnvelopeResponse_Liveness_")
