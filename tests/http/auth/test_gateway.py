"""AUTH_TRUST_GATEWAY_CLAIMS: on Lambda the caller comes from API Gateway's authorizer (HTTP API
JWT authorizer, REST Cognito authorizer, a Lambda authorizer); never from headers, and never
when the setting is off."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.lambda_handler import build_handler
from tests.conftest import AppFactory, app_client
from tests.support.envelope import assert_envelope
from tests.support.lambda_events import Shape
from tests.support.lambda_transport import LambdaTransport, run_on_handler_thread
from tests.support.token_issuer import TokenIssuer

BOOKS = "/v1/books"

HTTP_API_JWT = {
    "jwt": {
        "claims": {"sub": "jwt-user", "iss": "https://issuer.example", "client_id": "web"},
        "scopes": ["api/books:read"],
    }
}
REST_COGNITO = {
    "claims": {"sub": "cognito-user", "token_use": "access", "scope": "api/books:read"},
}
REST_LAMBDA_AUTHORIZER = {"principalId": "lambda-user", "scope": "api/books:read"}
HTTP_API_LAMBDA_AUTHORIZER = {"lambda": {"sub": "lambda-user", "scopes": ["api/books:read"]}}

KINDS: list[tuple[str, Shape, dict[str, Any]]] = [
    ("HTTP API JWT authorizer", "http_v2", HTTP_API_JWT),
    ("REST Cognito authorizer", "rest_v1", REST_COGNITO),
    ("REST Lambda authorizer", "rest_v1", REST_LAMBDA_AUTHORIZER),
    ("HTTP API Lambda authorizer", "http_v2", HTTP_API_LAMBDA_AUTHORIZER),
]


def through_lambda(
    app: FastAPI, shape: Shape, authorizer: dict[str, Any] | None
) -> httpx.AsyncClient:
    handler = run_on_handler_thread(lambda: build_handler(app, app.state.settings))
    transport = LambdaTransport(handler, shape=shape, authorizer=authorizer)
    return httpx.AsyncClient(transport=transport, base_url="https://api.example")


@pytest.fixture
def trusting_app(app_factory: AppFactory, auth_overrides: dict[str, Any]) -> FastAPI:
    return app_factory(**auth_overrides, auth_trust_gateway_claims=True, auth_scope_prefix="api/")


@pytest.mark.parametrize(("kind", "shape", "authorizer"), KINDS, ids=[k[0] for k in KINDS])
async def test_the_authorizer_establishes_the_caller_and_its_scopes(
    trusting_app: FastAPI, kind: str, shape: Shape, authorizer: dict[str, Any]
) -> None:
    async with through_lambda(trusting_app, shape, authorizer) as client:
        # No Authorization header at all: the gateway already verified the token
        assert_envelope(await client.get(BOOKS), 200)
        book = {"title": "T", "author": "A", "year": 2000, "type": "online"}
        refused = await client.post(BOOKS, json=book)
    assert_envelope(refused, 403, code=8013)
    assert 'scope="books:write"' in refused.headers["www-authenticate"]


@pytest.mark.parametrize("shape", ["http_v2", "rest_v1"])
async def test_without_an_authorizer_the_token_is_verified_as_usual(
    trusting_app: FastAPI, issuer: TokenIssuer, shape: Shape
) -> None:
    async with through_lambda(trusting_app, shape, authorizer=None) as client:
        assert_envelope(await client.get(BOOKS), 401, code=8012)
        token = issuer.token(scope="api/books:read")
        headers = {"Authorization": f"Bearer {token}"}
        assert_envelope(await client.get(BOOKS, headers=headers), 200)


async def test_an_authorizer_without_a_subject_is_no_caller(trusting_app: FastAPI) -> None:
    authorizer = {"claims": {"scope": "api/books:read"}}
    async with through_lambda(trusting_app, "rest_v1", authorizer) as client:
        assert_envelope(await client.get(BOOKS), 401, code=8012)


async def test_claims_are_never_taken_from_headers(trusting_app: FastAPI) -> None:
    # Over ASGI (uvicorn, a container) there is no Lambda event: headers that look like an
    # authorizer's output prove nothing.
    forged = {
        "X-Amzn-Oidc-Identity": "admin",
        "X-Amzn-Oidc-Data": "e30.eyJzdWIiOiJhZG1pbiJ9.x",
        "requestContext": '{"authorizer": {"claims": {"sub": "admin"}}}',
    }
    async with app_client(trusting_app) as client:
        assert_envelope(await client.get(BOOKS, headers=forged), 401, code=8012)


async def test_the_authorizer_is_ignored_unless_trusted(
    app_factory: AppFactory, auth_overrides: dict[str, Any]
) -> None:
    app = app_factory(**auth_overrides)  # AUTH_TRUST_GATEWAY_CLAIMS defaults to false
    async with through_lambda(app, "rest_v1", REST_COGNITO) as client:
        assert_envelope(await client.get(BOOKS), 401, code=8012)
