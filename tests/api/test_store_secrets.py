"""A store whose URL secret cannot be read is unavailable: its 503 and code on every route
that needs it, as readiness says, never a 500."""

import uuid

import pytest

from tests.conftest import AppFactory
from tests.fixtures.aws import SecretsSource
from tests.support.envelope import assert_envelope
from tests.support.http_shapes import ClientFor

BOOK_ID = "0b7a3f0e-2f0c-4e4b-9a3e-1c2d3e4f5a6b"
REVIEW_ID = "5c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5"


@pytest.fixture(params=["source down", "no such secret", "JSON without a host"])
def secret_id(
    request: pytest.FixtureRequest, secrets_source: SecretsSource, monkeypatch: pytest.MonkeyPatch
) -> str:
    """A secret the app cannot read a URL from, in each way it can fail, wherever it reads."""
    secret_id = f"app/unreadable-{uuid.uuid4().hex[:8]}"
    if request.param == "source down":  # the extension, or Secrets Manager
        monkeypatch.setenv("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "9")
        monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    elif request.param == "JSON without a host":
        secrets_source.put(secret_id, '{"username": "app", "password": "pw"}')
    return secret_id


# Containers read as SnapStart does (through the SDK): tests/core/test_secrets.py covers them.
@pytest.mark.parametrize("secrets_source", ["lambda on demand", "lambda snap-start"], indirect=True)
@pytest.mark.parametrize(
    ("store", "path", "code"),
    [
        ("postgresql", f"/v1/books/{BOOK_ID}", 9001),
        ("mongo", f"/v1/reviews/{REVIEW_ID}", 9002),
        ("redis", "/v1/books", 9003),
    ],
)
async def test_an_unreadable_secret_makes_its_store_unavailable(
    app_factory: AppFactory,
    client_for: ClientFor,
    secret_id: str,
    store: str,
    path: str,
    code: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    overrides: dict[str, object] = {f"{store}_url": None, f"{store}_url_secret_id": secret_id}
    headers = {"Idempotency-Key": "k-1"} if store == "redis" else {}
    method = "POST" if store == "redis" else "GET"
    async with client_for(app_factory(**overrides)) as client:
        response = await client.request(method, path, headers=headers, json={})
        ready = await client.get("/health/ready")
    assert_envelope(response, 503, code=code)
    assert response.headers["retry-after"] == "1"
    assert "pw" not in response.text
    checks = {
        check["name"]: check["ok"] for check in assert_envelope(ready, 503, code=9004)["checks"]
    }
    assert checks[store.replace("mongo", "mongodb")] is False
    # The log says which secret failed (the 503 names only the store), never what it holds
    logged = "".join(capsys.readouterr())
    assert f"{store} unavailable: " in logged
    assert secret_id in logged
    assert '"pw"' not in logged
