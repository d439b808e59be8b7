"""A store whose URL secret cannot be read is unavailable: its 503 and code on every route
that needs it, as readiness says, never a 500."""

from collections.abc import Iterator

import pytest

from app.core.secrets import read_secret
from tests.conftest import AppFactory
from tests.support.envelope import assert_envelope
from tests.support.http_shapes import ClientFor
from tests.support.http_stub import RecordedRequest, http_stub
from tests.support.ports import closed_port

BOOK_ID = "0b7a3f0e-2f0c-4e4b-9a3e-1c2d3e4f5a6b"
REVIEW_ID = "5c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5"


def _extension(request: RecordedRequest) -> tuple[int, object]:
    if "secretId=app%2Fno-url" in request.path:
        return 200, {"SecretString": '{"username": "app", "password": "pw"}'}
    return 400, {"__type": "ResourceNotFoundException"}


@pytest.fixture(params=["extension down", "extension answers 400", "JSON without url"])
def secret_id(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    read_secret.cache_clear()
    monkeypatch.setenv("AWS_SESSION_TOKEN", "token")
    if request.param == "extension down":
        monkeypatch.setenv("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", str(closed_port()))
        yield "app/any"
        return
    with http_stub(_extension) as stub:
        monkeypatch.setenv("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", str(stub.port))
        yield "app/no-url" if request.param == "JSON without url" else "app/missing"
    read_secret.cache_clear()


@pytest.mark.parametrize(
    ("store", "path", "code"),
    [
        ("postgresql", f"/v1/books/{BOOK_ID}", 9001),
        ("mongo", f"/v1/reviews/{REVIEW_ID}", 9002),
        ("redis", "/v1/books", 9003),
    ],
)
async def test_an_unreadable_secret_makes_its_store_unavailable(
    app_factory: AppFactory, client_for: ClientFor, secret_id: str, store: str, path: str, code: int
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
