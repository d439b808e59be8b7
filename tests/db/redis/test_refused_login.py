"""A Redis that refuses the password its URL secret holds (rotated since it was read): the
request answers Redis's 503, and the next one reads the secret again and logs in. Against a
Redis that checks a password, rotated for real (CONFIG SET requirepass), secret in moto."""

import uuid

import httpx
import pytest

from tests.conftest import AppFactory, app_client
from tests.domains.books.factories import book_payload
from tests.fixtures.aws import SecretsSource
from tests.fixtures.redis import PasswordRedis
from tests.support.envelope import assert_envelope

FIRST, SECOND = "fir$t:p@ss/w0rd?#", "sec%nd p@ss&w0rd="


@pytest.mark.parametrize("secrets_source", ["lambda snap-start"], indirect=True)
async def test_a_refused_login_reads_the_secret_again_on_next_use(
    app_factory: AppFactory, password_redis: PasswordRedis, secrets_source: SecretsSource
) -> None:
    # Given a sandbox that read the Redis URL secret and logged in with it
    secret_id = f"app/redis-{uuid.uuid4().hex[:8]}"
    password_redis.set_password(FIRST)
    secrets_source.put(secret_id, password_redis.url(FIRST))
    app = app_factory(redis_url=None, redis_url_secret_id=secret_id)

    async def create(key: str) -> httpx.Response:
        headers = {"Idempotency-Key": key}
        return await client.post("/v1/books", json=book_payload(), headers=headers)

    async with app_client(app) as client:
        assert_envelope(await create("first"), 201)

        # When the password rotates and the sandbox's connection is gone
        password_redis.set_password(SECOND)
        secrets_source.put(secret_id, password_redis.url(SECOND))
        password_redis.end_sessions()

        # Then the refused login is Redis's 503, and the next request reads the secret again
        assert_envelope(await create("second"), 503, code=9003)
        assert secrets_source.reads(secret_id) == 1
        assert_envelope(await create("third"), 201)
        assert_envelope(await create("fourth"), 201)
        assert secrets_source.reads(secret_id) == 2
