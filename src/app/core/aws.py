"""AWS service clients from the Lambda runtime's botocore: one per service and sandbox, made on
first use through the SDK's default credential chain (so the container credentials SnapStart
gives work too) and its `AWS_ENDPOINT_URL*` variables.

botocore is the runtime's own copy, never bundled (docs/deploy.md); outside Lambda it comes
from the `aws` extra. Importing this module imports nothing from it: an on-demand init never
pays for the SDK, and a SnapStart init imports it (`import_sdk`) but creates no client or
credentials before the snapshot.
"""

import threading
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from mypy_boto3_codedeploy import CodeDeployClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sqs import SQSClient

# Short bounds: a call to AWS is on a request's path, and the gateway gives up at 29 s.
CONNECT_TIMEOUT_SECONDS = 2.0
READ_TIMEOUT_SECONDS = 5.0
MAX_ATTEMPTS = 2
# Except where an answer comes when the work is done: a synchronous Lambda invoke (the
# pre-traffic hook runs the migrations that way) lasts up to Lambda's 15-minute limit.
READ_TIMEOUTS_SECONDS = {"lambda": 900.0}

_lock = threading.Lock()
_clients: dict[str, "BaseClient"] = {}


def import_sdk() -> None:
    """Import what `client` needs, without creating anything (a SnapStart init calls this)."""


def client(service: str) -> "BaseClient":
    """The sandbox's client for `service` (e.g. "sqs"), made once; the typed accessors below
    name the services the app uses."""
    existing = _clients.get(service)
    if existing is not None:
        return existing
    with _lock:
        if service not in _clients:
            from botocore.config import Config
            from botocore.session import get_session

            config = Config(
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                read_timeout=READ_TIMEOUTS_SECONDS.get(service, READ_TIMEOUT_SECONDS),
                retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
            )
            _clients[service] = get_session().create_client(service, config=config)
        return _clients[service]


def sqs() -> "SQSClient":
    return cast("SQSClient", client("sqs"))


def secrets_manager() -> "SecretsManagerClient":
    return cast("SecretsManagerClient", client("secretsmanager"))


def lambda_() -> "LambdaClient":
    return cast("LambdaClient", client("lambda"))


def codedeploy() -> "CodeDeployClient":
    return cast("CodeDeployClient", client("codedeploy"))


def forget_clients() -> None:
    """Make new clients (and resolve credentials again) on next use: after a SnapStart restore,
    or when a test changes the endpoint or the credentials."""
    with _lock:
        _clients.clear()
