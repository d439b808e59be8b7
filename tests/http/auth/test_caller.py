"""The caller: one dependency away in any route; rate limits, idempotency keys and logs follow
its subject; the settings that turn it on are checked at start."""

import json
from typing import Any

import pytest
from fastapi import FastAPI

from app.core.settings import SettingsError, load_settings
from app.http.auth.caller import Caller
from app.http.auth.route import CallerDep, requires
from tests.conftest import AppFactory, app_client
from tests.support.envelope import assert_envelope
from tests.support.routes import operations_by_domain
from tests.support.token_issuer import TokenIssuer


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def with_whoami(app: FastAPI) -> FastAPI:
    """Routes that read the caller: one under /v1, one outside it that declares a scope."""

    @app.get("/v1/whoami")
    async def whoami(caller: CallerDep) -> dict[str, Any]:
        return {"subject": caller.subject, "scopes": sorted(caller.scopes), "via": caller.source}

    @app.get("/reports", dependencies=[requires("reports:read")])
    async def reports(caller: CallerDep) -> dict[str, str]:
        return {"subject": caller.subject}

    return app


async def test_routes_read_the_caller_through_one_dependency(
    auth_app: FastAPI, issuer: TokenIssuer
) -> None:
    token = issuer.token(sub="ann", scope="books:read reports:read")
    async with app_client(with_whoami(auth_app)) as client:
        whoami = await client.get("/v1/whoami", headers=bearer(token))
        outside = await client.get("/reports", headers=bearer(token))
        outside_without_token = await client.get("/reports")

    assert whoami.json() == {
        "subject": "ann",
        "scopes": ["books:read", "reports:read"],
        "via": "token",
    }
    # A route outside /v1 that declares a scope authenticates on its own.
    assert outside.json() == {"subject": "ann"}
    assert_envelope(outside_without_token, 401, code=8012)


async def test_with_auth_off_the_caller_is_anonymous(app_factory: AppFactory) -> None:
    async with app_client(with_whoami(app_factory(auth_enabled=False))) as client:
        whoami = await client.get("/v1/whoami")
        reports = await client.get("/reports")
    assert whoami.json() == {"subject": "", "scopes": [], "via": "anonymous"}
    assert reports.status_code == 200


def test_an_anonymous_caller_is_not_authenticated() -> None:
    assert not Caller(subject="", source="anonymous").is_authenticated
    assert Caller(subject="ann").identity == Caller(subject="ann").display_name == "ann"


async def test_rate_limits_count_per_subject(
    app_factory: AppFactory,
    auth_overrides: dict[str, Any],
    redis_overrides: dict[str, Any],
    issuer: TokenIssuer,
) -> None:
    app = app_factory(
        **auth_overrides, **redis_overrides, rate_limit_requests=2, rate_limit_window_seconds=60
    )
    ann, bob = bearer(issuer.token(sub="ann")), bearer(issuer.token(sub="bob"))
    async with app_client(app) as client:
        anns = [(await client.get("/v1/books", headers=ann)).status_code for _ in range(3)]
        bobs = [(await client.get("/v1/books", headers=bob)).status_code for _ in range(2)]
    # One address, two subjects: two budgets
    assert anns == [200, 200, 429]
    assert bobs == [200, 200]


async def test_idempotency_keys_belong_to_their_subject(
    app_factory: AppFactory,
    auth_overrides: dict[str, Any],
    redis_overrides: dict[str, Any],
    issuer: TokenIssuer,
) -> None:
    app = app_factory(**auth_overrides, **redis_overrides)
    book = {"title": "Mine", "author": "Ann", "year": 2001, "type": "online"}
    key = {"Idempotency-Key": "same-key"}
    async with app_client(app) as client:
        ann = await client.post(
            "/v1/books", json=book, headers={**key, **bearer(issuer.token(sub="ann"))}
        )
        bob = await client.post(
            "/v1/books", json=book, headers={**key, **bearer(issuer.token(sub="bob"))}
        )
    # Same address, same key: Bob's request runs on its own, it does not get Ann's response.
    assert "idempotent-replayed" not in bob.headers
    assert assert_envelope(bob, 201)["id"] != assert_envelope(ann, 201)["id"]


async def test_logs_carry_the_subject_never_the_token(
    app_factory: AppFactory,
    auth_overrides: dict[str, Any],
    issuer: TokenIssuer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = app_factory(**auth_overrides, log_json=True, log_level="INFO")
    token = issuer.token(sub="ann")
    async with app_client(app) as client:
        await client.get("/v1/books", headers=bearer(token))
        await client.get("/v1/books", headers=bearer(token + "tampered"))

    output = capsys.readouterr().out
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "access"]
    assert access[0]["subject"] == "ann"
    assert "subject" not in access[1]  # refused: nobody
    assert any("Bearer token refused" in line["message"] for line in lines)
    assert token not in output
    assert token.split(".")[2] not in output  # not even the signature


async def test_an_empty_audience_is_accepted_with_a_warning(
    app_factory: AppFactory,
    issuer: TokenIssuer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = app_factory(auth_enabled=True, auth_issuer=issuer.url, auth_audience=[], log_json=True)
    async with app_client(app) as client:
        response = await client.get("/v1/books", headers=bearer(issuer.token(aud="anything")))
    assert_envelope(response, 200)
    assert "AUTH_AUDIENCE is empty" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("environment", "variables", "problem"),
    [
        ("production", {}, "AUTH_ISSUER: Value error, required when AUTH_ENABLED is true"),
        ("local", {"AUTH_ENABLED": "true"}, "AUTH_ISSUER"),
        (
            "production",
            {"AUTH_ISSUER": "http://127.0.0.1:9400"},
            "AUTH_JWKS_URL: Value error, 'http://127.0.0.1:9400/.well-known/jwks.json' must be",
        ),
        (
            "local",
            {"AUTH_ENABLED": "true", "AUTH_ISSUER": "http://issuer.example"},
            "must be https (http only to a loopback host",
        ),
    ],
)
def test_auth_settings_are_checked_at_start(
    monkeypatch: pytest.MonkeyPatch, environment: str, variables: dict[str, str], problem: str
) -> None:
    monkeypatch.setenv("ENVIRONMENT", environment)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert problem in str(raised.value)


@pytest.mark.parametrize(
    ("environment", "variables", "jwks_url"),
    [
        (
            "testing",
            {"AUTH_ENABLED": "true", "AUTH_ISSUER": "http://127.0.0.1:9400/"},
            "http://127.0.0.1:9400/.well-known/jwks.json",
        ),
        (
            "production",
            {"AUTH_ISSUER": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab1"},
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab1/.well-known/jwks.json",
        ),
        (
            "staging",
            {"AUTH_ISSUER": "https://login.example", "AUTH_JWKS_URL": "https://keys.example/jwks"},
            "https://keys.example/jwks",
        ),
        ("production", {"AUTH_ENABLED": "false"}, None),
        (
            "local",
            {"AUTH_ENABLED": "true", "AUTH_ISSUER": "http://localhost:9400"},
            "http://localhost:9400/.well-known/jwks.json",
        ),
    ],
)
def test_the_jwks_url_defaults_to_the_issuers(
    monkeypatch: pytest.MonkeyPatch,
    environment: str,
    variables: dict[str, str],
    jwks_url: str | None,
) -> None:
    monkeypatch.setenv("ENVIRONMENT", environment)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert load_settings().auth_jwks_url == jwks_url


def test_the_audience_is_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_AUDIENCE", "web-client, mobile-client,")
    assert load_settings().auth_audience == ["web-client", "mobile-client"]


async def test_openapi_shows_the_bearer_scheme_and_each_operations_scope(
    auth_app: FastAPI,
) -> None:
    async with app_client(auth_app) as client:
        document = (await client.get("/openapi.json")).json()

    scheme = document["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")
    # Every domain's operations, generated ones too: each needs its domain's scope
    domains = operations_by_domain(auth_app)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            domain = domains[(method.upper(), path)]
            if not path.startswith("/v1/"):
                assert domain is None
                assert "security" not in operation, (method, path)
                continue
            [requirement] = operation["security"]
            [scope] = requirement["bearer"]
            access = "read" if method == "get" else "write"
            assert scope == f"{domain}:{access}", (method, path)
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
            assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]


async def test_with_auth_off_the_document_asks_for_no_token(app_factory: AppFactory) -> None:
    async with app_client(app_factory(auth_enabled=False)) as client:
        document = (await client.get("/openapi.json")).json()
    assert "securitySchemes" not in document.get("components", {})
    for operations in document["paths"].values():
        for operation in operations.values():
            assert "security" not in operation
            assert "401" not in operation["responses"]
