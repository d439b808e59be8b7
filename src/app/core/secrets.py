"""Store URLs: plain variables locally; on Lambda a Secrets Manager secret read once per sandbox.

The secret is fetched through the AWS Parameters and Secrets Lambda Extension on localhost,
so no AWS SDK is imported. Values are cached for the life of the sandbox and never logged.
"""

import json
import os
from functools import lru_cache
from typing import Literal

from app.core.settings import Settings

Store = Literal["postgresql", "mongo", "redis"]

EXTENSION_TIMEOUT_SECONDS = 3.0


class SecretUnavailableError(RuntimeError):
    """The extension did not return the secret (names the secret id, never its value)."""


def store_url(settings: Settings, store: Store) -> str | None:
    """The URL for `store`, or None when the store is not configured."""
    plain = getattr(settings, f"{store}_url")
    if plain is not None:
        return str(plain.get_secret_value())
    secret_id: str | None = getattr(settings, f"{store}_url_secret_id")
    return read_secret(secret_id) if secret_id else None


def store_configured(settings: Settings, store: Store) -> bool:
    return bool(getattr(settings, f"{store}_url") or getattr(settings, f"{store}_url_secret_id"))


@lru_cache(maxsize=16)
def read_secret(secret_id: str) -> str:
    """A secret's string; a JSON secret with a `url` key yields that key's value."""
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
        document = json.loads(secret)
    except ValueError:
        return secret
    if isinstance(document, dict) and isinstance(document.get("url"), str):
        return str(document["url"])
    return secret
