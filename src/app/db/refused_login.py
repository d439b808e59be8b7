"""A store that refuses the login its URL secret holds (the password rotated since the secret
was read) forgets the secret and its client, so that its next use reads the secret again and
connects with what it holds then.

MongoDB and Redis log in inside the blocks that use them, which cannot run twice: the request
that meets the refusal answers the store's 503, and the next one connects. PostgreSQL logs in
where the retry fits, and reads the secret again within the same request
(app/db/postgresql/login.py).
"""

from loguru import logger

from app.core.secrets import store_secret
from app.core.settings import Settings
from app.core.stores import Store
from app.db.lazy_client import LazyClient


async def forget_refused_login[OptionsT, ClientT](
    settings: Settings, store: Store, client: LazyClient[OptionsT, ClientT]
) -> None:
    """Nothing to read again for a plain URL: its store stays refused until it changes."""
    secret = store_secret(settings, store)
    if secret is None:
        return
    logger.warning("{} refused the login: reading {} again on next use", store, secret.secret_id)
    secret.forget()
    await client.disconnect()
