"""Stand-ins for what Lambda gives a function to reach Secrets Manager, in front of moto's
server (the suite's Secrets Manager): the container credentials endpoint a SnapStart sandbox's
SDK asks for credentials, and the Parameters and Secrets extension an on-demand sandbox asks
for secrets. Both check their token as the real ones do, and record what they were asked."""

import json
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, cast

from botocore.session import get_session

from tests.support.http_stub import HttpStub, RecordedRequest, http_stub

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

REGION = "eu-west-1"


@dataclass(frozen=True)
class TemporaryCredentials:
    access_key_id: str
    secret_access_key: str
    token: str


@contextmanager
def container_credentials_endpoint(
    authorization_token: str,
) -> Iterator[tuple[HttpStub, TemporaryCredentials]]:
    """Answers like Lambda's AWS_CONTAINER_CREDENTIALS_FULL_URI: temporary credentials for a
    request whose Authorization header is AWS_CONTAINER_AUTHORIZATION_TOKEN, else 401."""
    issued = TemporaryCredentials(
        f"ASIA{uuid.uuid4().hex[:16].upper()}", uuid.uuid4().hex, uuid.uuid4().hex
    )
    expiration = datetime.now(UTC) + timedelta(hours=6)

    def respond(request: RecordedRequest) -> tuple[int, object]:
        if request.headers.get("authorization") != authorization_token:
            return 401, {"message": "invalid authorization token"}
        return 200, {
            "AccessKeyId": issued.access_key_id,
            "SecretAccessKey": issued.secret_access_key,
            "Token": issued.token,
            "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    with http_stub(respond) as stub:
        yield stub, issued


def container_credentials_env(endpoint: HttpStub, authorization_token: str) -> dict[str, str]:
    """The variables of a sandbox whose SDK finds only the container credentials endpoint, as
    in a SnapStart sandbox (also unset AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN and AWS_PROFILE): no profile files, no instance metadata."""
    return {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": f"http://127.0.0.1:{endpoint.port}/2021-04-23/creds",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": authorization_token,
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws/credentials",
        "AWS_CONFIG_FILE": "/nonexistent/aws/config",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
    }


def moto_secrets(endpoint: str) -> "SecretsManagerClient":
    """The test's own client of moto's Secrets Manager, to write and rotate secrets."""
    session = get_session()
    session.set_credentials("testing", "testing")  # moto takes any
    client = session.create_client("secretsmanager", endpoint_url=endpoint, region_name=REGION)
    return cast("SecretsManagerClient", client)


def put_secret(client: "SecretsManagerClient", secret_id: str, value: str) -> None:
    """Create the secret, or give it a new current value (as a rotation does)."""
    try:
        client.put_secret_value(SecretId=secret_id, SecretString=value)
    except client.exceptions.ResourceNotFoundException:
        client.create_secret(Name=secret_id, SecretString=value)


@contextmanager
def parameters_secrets_extension(moto_endpoint: str, session_token: str) -> Iterator[HttpStub]:
    """Answers like the extension's GET /secretsmanager/get?secretId=...: the secret's
    GetSecretValue answer from moto, for a request carrying the session token, else 401."""
    client = moto_secrets(moto_endpoint)

    def respond(request: RecordedRequest) -> tuple[int, object]:
        if request.headers.get("x-aws-parameters-secrets-token") != session_token:
            return 401, {"message": "missing or invalid token"}
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.path).query)
        try:
            answer = client.get_secret_value(SecretId=query["secretId"][0])
        except client.exceptions.ResourceNotFoundException:
            return 400, {"__type": "ResourceNotFoundException"}
        return 200, json.loads(json.dumps(answer, default=str))

    with http_stub(respond) as stub:
        yield stub


def secret_reads(requests: list[RecordedRequest], secret_id: str) -> int:
    """How many of `requests` (to the extension, or to Secrets Manager) read `secret_id`."""
    reads = 0
    for request in requests:
        if request.headers.get("x-amz-target") == "secretsmanager.GetSecretValue":
            reads += json.loads(request.body).get("SecretId") == secret_id
        elif request.path.startswith("/secretsmanager/get?"):
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.path).query)
            reads += query.get("secretId") == [secret_id]
    return reads
