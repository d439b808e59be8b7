"""Store URLs: plain variables locally; on Lambda a Secrets Manager secret read once per sandbox.

The secret is fetched through the AWS Parameters and Secrets Lambda Extension on localhost,
so no AWS SDK is imported. Values are cached for the life of the sandbox (until a restore from a
SnapStart snapshot) and never logged.
"""

import json
import os
from functools import lru_cache

from app.core.settings import Settings
from app.core.stores import Store, StoreUnavailableError
from app.core.tracing import traced

EXTENSION_TIMEOUT_SECONDS = 3.0


class SecretUnavailableError(StoreUnavailableError):
    """No URL could be read from the secret (names the secret id, never its value)."""


def store_url(settings: Settings, store: Store) -> str | None:
    """The URL for `store`, or None when the store is not configured."""
    plain = getattr(settings, f"{store}_url")
    if plain is not None:
        return str(plain.get_secret_value())
    secret_id: str | None = getattr(settings, f"{store}_url_secret_id")
    if not secret_id:
        return None
    try:
        return read_secret(secret_id)
    except SecretUnavailableError as error:
        raise SecretUnavailableError(str(error), store) from None


def store_configured(settings: Settings, store: Store) -> bool:
    return bool(getattr(settings, f"{store}_url") or getattr(settings, f"{store}_url_secret_id"))


def forget_secrets() -> None:
    """Read each secret again on its next use: a sandbox restored from a snapshot would
    otherwise keep the values read before the snapshot, whatever rotated since."""
    read_secret.cache_clear()


@lru_cache(maxsize=16)
@traced(
    "SecretsManager.GetSecretValue",
    {"rpc.system": "aws-api", "rpc.service": "SecretsManager", "rpc.method": "GetSecretValue"},
)
def read_secret(secret_id: str) -> str:
    """The URL a secret holds: the secret string itself, or the `url` key of a JSON object.
    Failures are not cached: the next use tries again."""
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
    secret = payload.get("SecretString") if isinstance(payload, dict) else None
    if not isinstance(secret, str):
        raise SecretUnavailableError(f"secret {secret_id!r} has no SecretString")
    try:
        document: object = json.loads(secret)
    except ValueError:
        document = secret
    url = document.get("url") if isinstance(document, dict) else document
    if not isinstance(url, str) or "://" not in url:
        raise SecretUnavailableError(
            f"secret {secret_id!r} holds no URL: expected the URL itself or JSON with a 'url' key"
        )
    return url
