"""Store URLs: a plain variable, or a Secrets Manager secret read on first use and kept until
forgotten (after a SnapStart restore, or when the store refuses the login it holds). Values
are never logged.

Where a secret is read from, by one rule (docs/deploy.md, "Secrets Manager"):
- Lambda on demand: the AWS Parameters and Secrets Lambda Extension on localhost, which
  authenticates with the sandbox's AWS_SESSION_TOKEN. No AWS SDK is imported: the first
  request pays ~20 ms of urllib instead of the SDK's import.
- Lambda with SnapStart: the runtime's botocore (`app.core.aws`), through the SDK's default
  credential chain. A restored sandbox gets container credentials
  (AWS_CONTAINER_CREDENTIALS_FULL_URI) and no AWS_SESSION_TOKEN, so the extension cannot
  answer there. The snap-start init imports the SDK (`import_secret_reader`) and reads
  nothing: no client or credentials go into the snapshot.
- Anywhere else (containers, servers): botocore too, from the `aws` extra.
"""

import json
import os
from typing import NamedTuple, get_args

from loguru import logger

from app.core import aws
from app.core.settings import Settings
from app.core.stores import Store, StoreUnavailableError
from app.core.tracing import traced

EXTENSION_TIMEOUT_SECONDS = 3.0

_values: dict[str, str] = {}  # secret id -> its SecretString, as read


class SecretUnavailableError(StoreUnavailableError):
    """No URL could be read from the secret (names the secret id, never its value)."""


def store_url(settings: Settings, store: Store) -> str | None:
    """The URL for `store`, or None when the store is not configured."""
    plain = getattr(settings, f"{store}_url")
    if plain is not None:
        return str(plain.get_secret_value())
    secret = store_secret(settings, store)
    return secret.url() if secret is not None else None


def store_configured(settings: Settings, store: Store) -> bool:
    return bool(getattr(settings, f"{store}_url") or getattr(settings, f"{store}_url_secret_id"))


def store_secret(settings: Settings, store: Store) -> "StoreSecret | None":
    """The secret that holds the store's URL; None when a plain URL (or nothing) configures it."""
    secret_id: str | None = getattr(settings, f"{store}_url_secret_id")
    if getattr(settings, f"{store}_url") is not None or not secret_id:
        return None
    return StoreSecret(settings, store, secret_id)


class StoreSecret(NamedTuple):
    """A store's URL secret, read once and kept, or read again. (A named tuple: a dataclass
    would cost every init a few tenths of a millisecond.)"""

    settings: Settings
    store: Store
    secret_id: str

    def url(self) -> str:
        try:
            return self._url()
        except SecretUnavailableError as error:
            # The 503 names only the store: this line says which secret failed, and how.
            logger.warning("{} unavailable: {}", self.store, error)
            raise

    def _url(self) -> str:
        # Imported on first use: only a store whose URL is a secret needs it.
        from app.core.secret_urls import SecretFormatError, url_from_secret

        value = _values.get(self.secret_id)
        if value is None:
            value = _values[self.secret_id] = _read(self.settings, self.secret_id, self.store)
        try:
            return url_from_secret(value, self.store)
        except SecretFormatError as error:
            raise SecretUnavailableError(f"secret {self.secret_id!r} {error}", self.store) from None

    def reread(self) -> str:
        """The URL read afresh: the store refused the login the kept value holds (rotated)."""
        self.forget()
        return self.url()

    def forget(self) -> None:
        """Read the secret again on its next use."""
        _values.pop(self.secret_id, None)


def forget_secrets() -> None:
    """Read each secret again on its next use: a sandbox restored from a snapshot would
    otherwise keep the values read before the snapshot, whatever rotated since."""
    _values.clear()


def import_secret_reader(settings: Settings) -> None:
    """Import what reading this process's secrets will take, and read none (a SnapStart init)."""
    secret_ids = (getattr(settings, f"{store}_url_secret_id") for store in get_args(Store))
    if any(secret_ids) and not _through_extension(settings):
        aws.import_sdk("secretsmanager")


def _through_extension(settings: Settings) -> bool:
    return settings.is_lambda and not settings.is_snap_start


@traced(
    "SecretsManager.GetSecretValue",
    {"rpc.system": "aws-api", "rpc.service": "SecretsManager", "rpc.method": "GetSecretValue"},
)
def _read(settings: Settings, secret_id: str, store: Store) -> str:
    """The secret's SecretString. Failures are not kept: the next use tries again."""
    read = _from_extension if _through_extension(settings) else _from_sdk
    try:
        return read(secret_id)
    except SecretUnavailableError as error:
        raise SecretUnavailableError(str(error), store) from None


def _from_extension(secret_id: str) -> str:
    # Imported here: urllib.request costs ~20 ms of init, and only secret-based stores need it.
    import urllib.parse
    import urllib.request

    port = os.environ.get("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "2773")
    query = urllib.parse.urlencode({"secretId": secret_id})
    request = urllib.request.Request(
        f"http://localhost:{port}/secretsmanager/get?{query}",
        headers={"X-Aws-Parameters-Secrets-Token": os.environ.get("AWS_SESSION_TOKEN", "")},
    )
    try:
        # The URL is always http://localhost (the extension), never user input.
        with urllib.request.urlopen(request, timeout=EXTENSION_TIMEOUT_SECONDS) as response:  # noqa: S310
            payload = json.load(response)
    except (OSError, ValueError) as error:
        raise SecretUnavailableError(f"cannot read secret {secret_id!r}: {error}") from None
    return _secret_string(secret_id, payload)


def _from_sdk(secret_id: str) -> str:
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        message = "botocore is not installed (install the aws extra)"
        raise SecretUnavailableError(f"cannot read secret {secret_id!r}: {message}") from None
    try:
        payload = aws.secrets_manager().get_secret_value(SecretId=secret_id)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        raise SecretUnavailableError(f"cannot read secret {secret_id!r}: {code}") from None
    except BotoCoreError as error:
        raise SecretUnavailableError(f"cannot read secret {secret_id!r}: {error}") from None
    return _secret_string(secret_id, payload)


def _secret_string(secret_id: str, payload: object) -> str:
    secret = payload.get("SecretString") if isinstance(payload, dict) else None
    if not isinstance(secret, str):
        raise SecretUnavailableError(f"secret {secret_id!r} has no SecretString")
    return secret
