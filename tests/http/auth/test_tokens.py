"""Bearer tokens against a real issuer on loopback, over ASGI and through the Lambda handler:
what is accepted, every way a token is refused, scopes, Cognito tokens, keys and the JWKS."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from app.http.auth import tokens
from tests.conftest import AppFactory, app_client
from tests.fixtures.auth import signing_key
from tests.support.envelope import assert_envelope
from tests.support.token_issuer import SigningKey, TokenIssuer

BOOKS = "/v1/books"


@pytest.fixture(params=["asgi", "http_v2"])
async def client(
    auth_app: FastAPI, request: pytest.FixtureRequest
) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(auth_app, request.param) as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_unauthenticated(response: httpx.Response, *, token_sent: bool = True) -> None:
    assert_envelope(response, 401, code=8012)
    expected = 'Bearer error="invalid_token"' if token_sent else "Bearer"
    assert response.headers["www-authenticate"] == expected
    # Never which check failed, never the token.
    assert response.json()["message"] in (
        "Authentication required",
        "The bearer token is not valid",
    )
    sent = response.request.headers.get("authorization", "")
    token = sent.removeprefix("Bearer ").strip() if sent.startswith("Bearer ") else ""
    assert len(token) < 8 or token not in response.text


async def test_a_valid_token_reaches_the_route(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    response = await client.get(BOOKS, headers=bearer(issuer.token()))
    assert_envelope(response, 200)


async def test_an_ec_key_is_accepted_too(client: httpx.AsyncClient, issuer: TokenIssuer) -> None:
    token = issuer.token(key=signing_key("ec-1", "ec"))
    assert_envelope(await client.get(BOOKS, headers=bearer(token)), 200)


async def test_no_token_is_401_without_an_error_code(client: httpx.AsyncClient) -> None:
    assert_unauthenticated(await client.get(BOOKS), token_sent=False)


def _none_token(issuer: TokenIssuer) -> str:
    return jwt.encode(
        {"iss": issuer.url, "sub": "x", "aud": issuer.audience, "exp": time.time() + 300},
        key="",
        algorithm="none",
    )


def _hs256_with_the_public_key(issuer: TokenIssuer) -> str:
    # The classic confusion attack: the RSA public key (which anyone has) as an HMAC secret.
    public = signing_key("rsa-1").jwk()
    secret = jwt.utils.base64url_decode(public["n"])
    claims = {"iss": issuer.url, "sub": "x", "aud": issuer.audience, "exp": time.time() + 300}
    header = {"kid": "rsa-1"}
    return jwt.api_jws.PyJWS().encode(
        jwt.utils.force_bytes(jwt.api_jwt._jwt_global_obj._encode_payload(claims)),
        secret,
        algorithm="HS256",
        headers=header,
    )


def _forged(issuer: TokenIssuer) -> str:
    # Signed by a key of the attacker's, under the kid of the issuer's real key.
    forger = SigningKey.rsa("rsa-1")
    return issuer.token(key=forger)


def _another_keys_algorithm(issuer: TokenIssuer) -> str:
    # Signed with the EC key, but naming the RSA key's kid.
    return issuer.token(key=signing_key("ec-1", "ec"), headers={"kid": "rsa-1"})


REFUSED: dict[str, Callable[[TokenIssuer], str]] = {
    "garbage": lambda issuer: "not-a-jwt",
    "expired": lambda issuer: issuer.token(exp=int(time.time()) - 120),
    "not yet valid": lambda issuer: issuer.token(nbf=int(time.time()) + 120),
    "wrong issuer": lambda issuer: issuer.token(iss="https://other-issuer.example"),
    "wrong audience": lambda issuer: issuer.token(aud="another-api"),
    "alg none": _none_token,
    "HS256 with the public key": _hs256_with_the_public_key,
    "unknown kid": lambda issuer: issuer.token(key=SigningKey.rsa("rsa-unknown")),
    "forged signature": _forged,
    "another key's algorithm": _another_keys_algorithm,
    "no subject": lambda issuer: issuer.token(sub=None),
    "no expiry": lambda issuer: issuer.token(exp=None),
}


@pytest.mark.parametrize("case", list(REFUSED))
async def test_a_bad_token_is_401_invalid_token(
    client: httpx.AsyncClient, issuer: TokenIssuer, case: str
) -> None:
    token = REFUSED[case](issuer)
    assert_unauthenticated(await client.get(BOOKS, headers=bearer(token)))


@pytest.mark.parametrize(
    "authorization", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Token abc"]
)
async def test_another_scheme_or_an_empty_bearer_is_401(
    client: httpx.AsyncClient, authorization: str
) -> None:
    response = await client.get(BOOKS, headers={"Authorization": authorization})
    assert_unauthenticated(response)


async def test_the_leeway_accepts_a_token_just_expired(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    token = issuer.token(exp=int(time.time()) - 5)
    assert_envelope(await client.get(BOOKS, headers=bearer(token)), 200)


async def test_read_and_write_scopes(client: httpx.AsyncClient, issuer: TokenIssuer) -> None:
    reader = bearer(issuer.token(scope="books:read"))
    writer = bearer(issuer.token(scope="books:write"))
    book = {"title": "Scoped", "author": "A. Uthor", "year": 2001, "type": "online"}

    assert_envelope(await client.get(BOOKS, headers=reader), 200)
    refused = await client.post(BOOKS, json=book, headers=reader)
    assert_envelope(refused, 403, code=8013)
    expected = 'Bearer error="insufficient_scope", scope="books:write"'
    assert refused.headers["www-authenticate"] == expected
    assert_envelope(await client.post(BOOKS, json=book, headers=writer), 201)
    assert_envelope(await client.get(BOOKS, headers=writer), 403, code=8013)


async def test_scopes_may_come_as_an_scp_list(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    token = issuer.token(scope=None, scp=["books:read"])
    assert_envelope(await client.get(BOOKS, headers=bearer(token)), 200)


async def test_public_routes_need_no_token(client: httpx.AsyncClient) -> None:
    for path in ("/", "/health", "/openapi.json"):
        assert (await client.get(path)).status_code == 200


async def test_an_unknown_api_route_needs_a_token_before_it_is_a_404(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    assert_unauthenticated(await client.get("/v1/nothing"), token_sent=False)
    response = await client.get("/v1/nothing", headers=bearer(issuer.token()))
    assert_envelope(response, 404, code=8002)


# Cognito user pools: resource-server scopes arrive as "<identifier>/<name>", access tokens
# carry client_id instead of aud, ID tokens carry aud and no scopes.


@pytest.fixture
def auth_overrides(auth_overrides: dict[str, Any]) -> dict[str, Any]:
    return {**auth_overrides, "auth_scope_prefix": "api/"}


def cognito_access_token(issuer: TokenIssuer, **claims: Any) -> str:
    defaults = {
        "aud": None,
        "client_id": issuer.audience,
        "token_use": "access",
        "scope": "api/books:read",
        "username": "ann",
    }
    return issuer.token(**{**defaults, **claims})


async def test_a_cognito_access_token_matches_by_client_id(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    ok = await client.get(BOOKS, headers=bearer(cognito_access_token(issuer)))
    assert_envelope(ok, 200)
    other_client = cognito_access_token(issuer, client_id="another-app-client")
    assert_unauthenticated(await client.get(BOOKS, headers=bearer(other_client)))


async def test_a_cognito_id_token_is_a_caller_without_scopes(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    id_token = issuer.token(token_use="id", scope=None, email="ann@example.com")
    response = await client.get(BOOKS, headers=bearer(id_token))
    assert_envelope(response, 403, code=8013)
    wrong_aud = issuer.token(token_use="id", scope=None, aud="another-app-client")
    assert_unauthenticated(await client.get(BOOKS, headers=bearer(wrong_aud)))


async def test_another_cognito_token_use_is_refused(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    refresh = cognito_access_token(issuer, token_use="refresh")
    assert_unauthenticated(await client.get(BOOKS, headers=bearer(refresh)))


async def test_the_scope_prefix_is_stripped_before_matching(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    unprefixed = cognito_access_token(issuer, scope="books:read")
    prefixed = cognito_access_token(issuer, scope="api/books:read")
    # Without the prefix the scope is what the token says; with it, what the route declares.
    assert_envelope(await client.get(BOOKS, headers=bearer(prefixed)), 200)
    assert_envelope(await client.get(BOOKS, headers=bearer(unprefixed)), 200)


# The issuer's keys.


@pytest.mark.parametrize("stray_token_first", [False, True])
async def test_keys_are_fetched_once_and_a_rotated_key_is_found_at_once(
    auth_app_factory: Any, issuer: TokenIssuer, stray_token_first: bool
) -> None:
    async with app_client(auth_app_factory()) as client:
        for _ in range(3):
            assert_envelope(await client.get(BOOKS, headers=bearer(issuer.token())), 200)
        assert issuer.fetches == 1
        if stray_token_first:
            # A token signed with a key the issuer never published makes the app look again
            stray = issuer.token(key=SigningKey.rsa("left-over"))
            assert_unauthenticated(await client.get(BOOKS, headers=bearer(stray)))

        # When the issuer rotates to a new key right after and signs with it
        rotated = signing_key("rsa-2")
        issuer.keys.append(rotated)
        response = await client.get(BOOKS, headers=bearer(issuer.token(key=rotated)))

    # Then the app fetches the keys again and accepts its tokens at once, not after a pause
    assert_envelope(response, 200)
    assert issuer.fetches == 2 + stray_token_first


async def test_unknown_kids_do_not_hammer_the_issuer(
    auth_app_factory: Any, issuer: TokenIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    forged = [issuer.token(key=SigningKey.rsa(f"made-up-{number}")) for number in range(11)]
    monkeypatch.setattr(tokens, "JWKS_REFETCH_INTERVAL_SECONDS", 1.0)  # instead of 20 s
    async with app_client(auth_app_factory()) as client:
        for token in forged[:8]:
            assert_unauthenticated(await client.get(BOOKS, headers=bearer(token)))
        # The first request fetched the keys, and the next ones only as the budget allowed
        assert issuer.fetches == 1 + tokens.JWKS_REFETCH_BURST

        # Once an interval has passed, one more refetch is allowed, and only one
        await asyncio.sleep(1.05)
        for token in forged[8:]:
            assert_unauthenticated(await client.get(BOOKS, headers=bearer(token)))
    assert issuer.fetches == 2 + tokens.JWKS_REFETCH_BURST


async def test_an_unreachable_jwks_is_503_not_401(
    auth_app_factory: Any, issuer: TokenIssuer
) -> None:
    token = issuer.token()
    issuer.stop()
    async with app_client(auth_app_factory()) as client:
        response = await client.get(BOOKS, headers=bearer(token))
        health = await client.get("/health", headers=bearer(token))
    assert_envelope(response, 503, code=9005)
    assert response.headers["retry-after"] == "1"
    assert_envelope(health, 200)


async def test_keys_for_encryption_or_of_unknown_types_are_left_out(
    auth_app_factory: Any, issuer: TokenIssuer
) -> None:
    # Given a JWKS that also lists an encryption key and a key type this service cannot use
    signing = issuer.keys[0]
    issuer.extra_jwks = [
        {**signing.jwk(), "kid": "for-encryption", "use": "enc"},
        {"kty": "unknown", "kid": "mystery"},
    ]
    async with app_client(auth_app_factory()) as client:
        good = await client.get(BOOKS, headers=bearer(issuer.token()))
        encryption = issuer.token(headers={"kid": "for-encryption"})
        refused = await client.get(BOOKS, headers=bearer(encryption))
    assert_envelope(good, 200)
    assert_unauthenticated(refused)


async def test_a_token_without_kid_is_checked_against_a_one_key_issuer(
    app_factory: AppFactory, issuer: TokenIssuer
) -> None:
    one_key = TokenIssuer(keys=[signing_key("rsa-1")])
    one_key.start()
    try:
        results = []
        for token_issuer in (issuer, one_key):
            app = app_factory(
                auth_enabled=True,
                auth_issuer=token_issuer.url,
                auth_audience=[token_issuer.audience],
            )
            async with app_client(app) as client:
                no_kid = bearer(token_issuer.token(headers={"kid": None}))
                results.append(await client.get(BOOKS, headers=no_kid))
    finally:
        one_key.stop()
    # Which of two keys signed it cannot be told; with one key there is no question.
    assert_unauthenticated(results[0])
    assert_envelope(results[1], 200)


async def test_an_accepted_token_is_not_accepted_after_it_expires(
    auth_app_factory: Any, issuer: TokenIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens, "LEEWAY_SECONDS", 0)  # instead of waiting 30 s more
    token = bearer(issuer.token(exp=int(time.time()) + 2))
    async with app_client(auth_app_factory()) as client:
        first = await client.get(BOOKS, headers=token)
        again = await client.get(BOOKS, headers=token)  # remembered: no signature check
        await asyncio.sleep(2.1)
        expired = await client.get(BOOKS, headers=token)
    assert_envelope(first, 200)
    assert_envelope(again, 200)
    assert_unauthenticated(expired)


async def test_an_accepted_token_is_checked_again_for_another_audience(
    app_factory: AppFactory, issuer: TokenIssuer
) -> None:
    token = bearer(issuer.token(aud="web"))
    results = []
    for audience in ("web", "mobile"):
        app = app_factory(auth_enabled=True, auth_issuer=issuer.url, auth_audience=[audience])
        async with app_client(app) as client:
            results.append(await client.get(BOOKS, headers=token))
    assert_envelope(results[0], 200)
    assert_unauthenticated(results[1])


async def test_remembered_tokens_are_bounded(
    auth_app_factory: Any, issuer: TokenIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens, "ACCEPTED_TOKENS_KEPT", 2)
    monkeypatch.setattr(tokens, "_accepted", {})
    async with app_client(auth_app_factory()) as client:
        for subject in ("a", "b", "c"):
            assert_envelope(await client.get(BOOKS, headers=bearer(issuer.token(sub=subject))), 200)
    assert [claims["sub"] for claims in tokens._accepted.values()] == ["b", "c"]


async def test_health_makes_no_network_call_even_with_a_token(
    auth_app_factory: Any, issuer: TokenIssuer
) -> None:
    async with app_client(auth_app_factory()) as client:
        for path in ("/health", "/", "/health/ready"):
            await client.get(path, headers=bearer(issuer.token()))
    assert issuer.fetches == 0


@pytest.fixture
def auth_app_factory(app_factory: AppFactory, auth_overrides: dict[str, Any]) -> Any:
    return lambda **more: app_factory(**{**auth_overrides, **more})


async def test_the_jwks_fetch_is_a_span_under_the_request(
    auth_app_factory: Any, issuer: TokenIssuer, spans: InMemorySpanExporter
) -> None:
    async with app_client(auth_app_factory()) as client:
        assert (await client.get(BOOKS, headers=bearer(issuer.token()))).status_code != 401
    finished = spans.get_finished_spans()
    (server,) = [span for span in finished if span.kind is SpanKind.SERVER]
    (fetch,) = [span for span in finished if "url.full" in (span.attributes or {})]
    assert (fetch.name, fetch.kind) == ("GET", SpanKind.CLIENT)
    assert fetch.parent is not None
    assert fetch.parent.span_id == server.context.span_id
    assert dict(fetch.attributes or {}) == {
        "http.request.method": "GET",
        "url.full": f"{issuer.url}/.well-known/jwks.json",
        "server.address": "127.0.0.1",
        "server.port": int(issuer.url.rsplit(":", 1)[1]),
        "http.response.status_code": 200,
    }


async def test_an_unreachable_jwks_is_a_failed_span(
    auth_app_factory: Any, issuer: TokenIssuer, spans: InMemorySpanExporter
) -> None:
    token = issuer.token()
    issuer.stop()
    async with app_client(auth_app_factory()) as client:
        assert (await client.get(BOOKS, headers=bearer(token))).status_code == 503
    finished = spans.get_finished_spans()
    (fetch,) = [span for span in finished if span.kind is SpanKind.CLIENT]
    assert fetch.name == "GET"
    assert fetch.status.status_code is StatusCode.ERROR
    assert (fetch.attributes or {})["error.type"] == "URLError"
