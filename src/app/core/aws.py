"""AWS service clients from the Lambda runtime's botocore: one per service and sandbox, made on
first use through the SDK's default credential chain (so the container credentials SnapStart
gives work too) and its `AWS_ENDPOINT_URL*` variables.

botocore is the runtime's own copy, never bundled (docs/deploy.md); outside Lambda it comes
from the `aws` extra. Importing this module imports nothing from it: an on-demand init never
pays for the SDK, and a SnapStart init imports it (`import_sdk`) but creates no client or
credentials before the snapshot.
"""

import threading
from collections.abc import Callable
from functools import cache, partial
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.loaders import Loader
    from botocore.session import Session
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

# What making a client reads besides the service's own model (botocore's data files).
_SHARED_DATA = ("endpoints", "sdk-default-configuration", "partitions")
_SERVICE_DATA = ("service-2", "endpoint-rule-set-1")

_lock = threading.Lock()
_clients: dict[str, "BaseClient"] = {}


def import_sdk(*services: str) -> None:
    """Import what `client` needs and load the data files that making a client of `services`
    parses (most of its cost), creating no client and no credentials: a SnapStart init calls
    this, so that a restored sandbox pays neither the import nor the parsing."""
    import encodings.idna  # noqa: F401  (urllib3 loads it on the first request to a host name)

    from botocore.exceptions import DataNotFoundError

    loader = _data_loader()
    loads: list[Callable[[], object]] = [partial(loader.load_data, name) for name in _SHARED_DATA]
    loads += [
        partial(loader.load_service_model, service, kind)
        for service in services
        for kind in _SERVICE_DATA
    ]
    for load in loads:
        try:
            load()
        except DataNotFoundError:  # another botocore lays out its data otherwise: less to preload
            continue


def client(service: str) -> "BaseClient":
    """The sandbox's client for `service` (e.g. "sqs"), made once; the typed accessors below
    name the services the app uses."""
    existing = _clients.get(service)
    if existing is not None:
        return existing
    with _lock:
        if service not in _clients:
            from botocore.config import Config

            config = Config(
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                read_timeout=READ_TIMEOUTS_SECONDS.get(service, READ_TIMEOUT_SECONDS),
                retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
            )
            # A session per client: it resolves credentials once, and `forget_clients` must
            # forget those too. The parsed data files are shared across sessions.
            session = _session()
            session.register_component("data_loader", _data_loader())
            _clients[service] = session.create_client(service, config=config)
        return _clients[service]


def _session() -> "Session":
    from botocore.session import get_session

    return get_session()


@cache
def _data_loader() -> "Loader":
    """One loader for the process, shared by every client's session: it keeps each data file
    it parsed."""
    loader: Loader = _session().get_component("data_loader")
    return loader


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
