"""A MongoDB that refuses the login its secret holds (rotated since it was read): the request
answers MongoDB's 503, never a 500, and the next one reads the secret again and logs in.
Against a server that requires logins, the password rotated for real (updateUser), and the
DocumentDB-shaped secret in moto."""

import uuid

import pytest

from tests.conftest import AppFactory, app_client
from tests.fixtures.aws import SecretsSource
from tests.fixtures.mongo import AuthMongo
from tests.support.envelope import assert_envelope

FIRST, SECOND = "fir$t:p@ss/w0rd?#", "sec%nd p@ss&w0rd="
REVIEW = f"/v1/reviews/{uuid.uuid4()}"


@pytest.mark.parametrize("secrets_source", ["lambda snap-start"], indirect=True)
async def test_a_refused_login_reads_the_secret_again_on_next_use(
    app_factory: AppFactory, auth_mongo: AuthMongo, secrets_source: SecretsSource
) -> None:
    # Given a sandbox that read the DocumentDB secret and logged in with it (the review does
    # not exist: a 404 is MongoDB answering)
    secret_id = f"app/docdb-{uuid.uuid4().hex[:8]}"
    auth_mongo.set_password(FIRST)
    secrets_source.put(secret_id, auth_mongo.documentdb_secret(FIRST))
    app = app_factory(mongo_url=None, mongo_url_secret_id=secret_id)
    async with app_client(app) as client:
        assert_envelope(await client.get(REVIEW), 404, code=2001)

        # When the password rotates and the sandbox's connection is gone
        auth_mongo.set_password(SECOND)
        secrets_source.put(secret_id, auth_mongo.documentdb_secret(SECOND))
        auth_mongo.end_sessions()

        # Then the refused login is MongoDB's 503, and the next request reads the secret again
        assert_envelope(await client.get(REVIEW), 503, code=9002)
        assert secrets_source.reads(secret_id) == 1
        assert_envelope(await client.get(REVIEW), 404, code=2001)
        assert_envelope(await client.get(REVIEW), 404, code=2001)
        assert secrets_source.reads(secret_id) == 2
