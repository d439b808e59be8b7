"""Logging in with a rotating secret: each new connection uses the credentials the secret
holds now, and a login the server refuses (the password rotated since the secret was read)
reads the secret again and tries once more.

Existing connections are unaffected by a rotation (PostgreSQL checks a password only at
login), so this runs only where a new connection is opened: the first use, a replaced stale
socket, a recycled one.
"""

from typing import TYPE_CHECKING

from loguru import logger
from sqlalchemy import make_url

from app.core.secrets import StoreSecret

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect
    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.pool import ConnectionPoolEntry

# libpq passes on the server's message, not its SQLSTATE, when a login fails; every
# password-based method (scram-sha-256, md5, password) and PgBouncer and RDS Proxy say this.
_REFUSED_LOGIN = "authentication failed"


class SecretLogin:
    """A `do_connect` listener of an engine whose URL comes from `secret`."""

    def __init__(self, secret: StoreSecret, connect_args: dict[str, object]) -> None:
        self.secret = secret
        self.connect_args = connect_args

    def __call__(
        self,
        dialect: "Dialect",
        record: "ConnectionPoolEntry",
        cargs: list[object],
        cparams: dict[str, object],
    ) -> "DBAPIConnection":
        import psycopg

        try:
            return dialect.connect(*cargs, **self._params(dialect, self.secret.url()))
        except psycopg.OperationalError as error:
            if _REFUSED_LOGIN not in str(error):
                raise
        # A second refusal is PostgreSQL's 503, as any connection that fails.
        logger.warning("postgresql refused the login: reading {} again", self.secret.secret_id)
        return dialect.connect(*cargs, **self._params(dialect, self.secret.reread()))

    def _params(self, dialect: "Dialect", url: str) -> dict[str, object]:
        """Host, port, user, password, database and URL options, with the engine's arguments."""
        _, params = dialect.create_connect_args(make_url(url))
        return {**params, **self.connect_args}
