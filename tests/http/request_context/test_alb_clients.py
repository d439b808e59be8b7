"""Behind an ALB, each client is the address the ALB saw (the right-most X-Forwarded-For
entry): its own rate-limit budget and its own Idempotency-Key space, through real ALB events."""

from typing import Any

import pytest

from tests.conftest import AppFactory, app_client
from tests.domains.books.factories import book_payload
from tests.support.envelope import assert_envelope

# Both clients wrote the same entry themselves; the ALB appended the peer it saw.
CLIENT_A = {"X-Forwarded-For": "6.6.6.6, 198.51.100.1"}
CLIENT_B = {"X-Forwarded-For": "6.6.6.6, 198.51.100.2"}


@pytest.mark.parametrize("shape", ["alb", "alb_multi"])
async def test_each_alb_client_has_its_own_rate_limit_budget(
    app_factory: AppFactory, redis_overrides: dict[str, Any], shape: str
) -> None:
    app = app_factory(**redis_overrides, rate_limit_requests=1, rate_limit_window_seconds=60)
    async with app_client(app, shape) as client:
        first = await client.get("/v1/unknown", headers=CLIENT_A)
        # Rewriting the entries left of the ALB's own gives no fresh budget.
        rotated = await client.get(
            "/v1/unknown", headers={"X-Forwarded-For": "7.7.7.7, 198.51.100.1"}
        )
        other = await client.get("/v1/unknown", headers=CLIENT_B)
    assert_envelope(first, 404, code=8002)
    assert_envelope(rotated, 429, code=8005)
    assert_envelope(other, 404, code=8002)


async def test_alb_clients_do_not_share_idempotency_keys(
    app_factory: AppFactory, redis_overrides: dict[str, Any]
) -> None:
    app = app_factory(**redis_overrides)
    payload = book_payload()
    key = {"Idempotency-Key": "same-key-for-both"}
    async with app_client(app, "alb") as client:
        created = await client.post("/v1/books", json=payload, headers={**CLIENT_A, **key})
        replayed = await client.post("/v1/books", json=payload, headers={**CLIENT_A, **key})
        other = await client.post(
            "/v1/books", json={**payload, "isbn": None}, headers={**CLIENT_B, **key}
        )
    first = assert_envelope(created, 201)
    assert replayed.headers["idempotent-replayed"] == "true"
    assert assert_envelope(replayed, 201)["id"] == first["id"]
    # Client B's request ran on its own: no replay of client A's stored response.
    assert "idempotent-replayed" not in other.headers
    assert assert_envelope(other, 201)["id"] != first["id"]
