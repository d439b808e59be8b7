"""A rotated database secret: the app logs in with the JSON secret Secrets Manager keeps for
RDS, and when the server refuses the password it holds (rotated since it was read), it reads
the secret once more before answering PostgreSQL's 503. Against a server that checks
passwords, with the password rotated for real (ALTER ROLE) and the secret in moto."""

import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import AppFactory, app_client
from tests.fixtures.aws import SecretsSource
from tests.fixtures.postgresql import PasswordServer
from tests.support.envelope import assert_envelope

BOOKS = "/v1/books?limit=1"
# Generated passwords hold any character: these need escaping in a URL.
FIRST, SECOND, THIRD = "fir$t:p@ss/w0rd?#", "sec%nd p@ss&w0rd=", "th+rd[p@ss]w0rd"
BOUND_SECONDS = 2.0


@pytest.fixture
def rotating_secret(password_server: PasswordServer, secrets_source: SecretsSource) -> str:
    """The role's RDS secret, holding its current password FIRST."""
    secret_id = f"app/rds-{uuid.uuid4().hex[:8]}"
    password_server.set_password(FIRST)
    secrets_source.put(secret_id, password_server.rds_secret(FIRST))
    return secret_id


@pytest.fixture
async def logged_in(
    app_factory: AppFactory, secrets_source: SecretsSource, rotating_secret: str
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a sandbox that read the secret and logged in with it."""
    app = app_factory(
        postgresql_url=None,
        postgresql_url_secret_id=rotating_secret,
        postgresql_statement_timeout_ms=int(BOUND_SECONDS * 1000),
    )
    async with app_client(app) as client:
        assert_envelope(await client.get(BOOKS), 200)
        assert secrets_source.reads(rotating_secret) == 1
        yield client


async def test_a_rotated_password_is_read_again_once_and_the_request_succeeds(
    logged_in: httpx.AsyncClient,
    password_server: PasswordServer,
    secrets_source: SecretsSource,
    rotating_secret: str,
) -> None:
    # When the password is rotated (the server's and the secret's), and the sandbox's
    # connection is gone, so the next request must log in again
    password_server.set_password(SECOND)
    secrets_source.put(rotating_secret, password_server.rds_secret(SECOND))
    password_server.end_sessions()

    # Then the refused login reads the secret once more, and the request succeeds
    assert_envelope(await logged_in.get(BOOKS), 200)
    assert secrets_source.reads(rotating_secret) == 2

    # And later logins use the new password without reading it again
    password_server.end_sessions()
    assert_envelope(await logged_in.get(BOOKS), 200)
    assert secrets_source.reads(rotating_secret) == 2


@pytest.mark.parametrize("secrets_source", ["lambda on demand"], indirect=True)
async def test_a_secret_still_stale_answers_503_after_one_read_per_request(
    logged_in: httpx.AsyncClient,
    password_server: PasswordServer,
    secrets_source: SecretsSource,
    rotating_secret: str,
) -> None:
    # Given a password changed on the server while the secret still holds the old one
    # (a rotation between setting the password and finishing the secret)
    password_server.set_password(THIRD)
    password_server.end_sessions()

    # Then each request reads the secret once more, then answers PostgreSQL's 503 in time
    for request in range(1, 3):
        started = time.monotonic()
        assert_envelope(await logged_in.get(BOOKS), 503, code=9001)
        assert time.monotonic() - started < BOUND_SECONDS
        assert secrets_source.reads(rotating_secret) == 1 + request

    # And once the secret catches up, the next request logs in
    secrets_source.put(rotating_secret, password_server.rds_secret(THIRD))
    assert_envelope(await logged_in.get(BOOKS), 200)
    assert secrets_source.reads(rotating_secret) == 4
