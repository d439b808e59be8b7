"""The one place that turns any exception into an API exception (status, code, message).

Driver exceptions are recognised only when their module is already imported, so this
module never imports a database driver itself.
"""

import sys

from app.core.stores import Store, StoreUnavailableError
from app.http.errors.codes import CommonInternalCode
from app.http.errors.exceptions import (
    BaseApiRestException,
    ConflictError,
    NotFoundError,
    ServiceUnavailableError,
)

_STORES: dict[Store, tuple[CommonInternalCode, str]] = {
    "postgresql": (CommonInternalCode.POSTGRESQL_UNAVAILABLE, "PostgreSQL"),
    "mongo": (CommonInternalCode.MONGODB_UNAVAILABLE, "MongoDB"),
    "redis": (CommonInternalCode.REDIS_UNAVAILABLE, "Redis"),
}


def store_unavailable(store: Store) -> ServiceUnavailableError:
    """503 for a store that is down, too slow, or whose URL secret cannot be read."""
    code, label = _STORES[store]
    return ServiceUnavailableError(
        f"{label} is unavailable, retry later", code=code, headers={"Retry-After": "1"}
    )


def _imported(name: str) -> bool:
    return name in sys.modules


def _from_sqlalchemy(error: Exception) -> BaseApiRestException | None:
    from sqlalchemy import exc

    if isinstance(error, exc.NoResultFound):
        return NotFoundError()
    if isinstance(error, exc.IntegrityError):
        return ConflictError()
    if isinstance(error, exc.OperationalError | exc.InterfaceError | exc.TimeoutError):
        return store_unavailable("postgresql")
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return store_unavailable("postgresql")
    return None


def _from_psycopg(error: Exception) -> BaseApiRestException | None:
    import psycopg

    if isinstance(error, psycopg.errors.UniqueViolation):
        return ConflictError()
    if isinstance(error, psycopg.OperationalError):
        return store_unavailable("postgresql")
    return None


def _from_pymongo(error: Exception) -> BaseApiRestException | None:
    from pymongo import errors

    if isinstance(error, errors.DuplicateKeyError):
        return ConflictError()
    if isinstance(error, errors.ConnectionFailure | errors.ExecutionTimeout | errors.WTimeoutError):
        return store_unavailable("mongo")
    if isinstance(error, errors.PyMongoError) and error.timeout:  # MONGO_TIMEOUT_MS ran out
        return store_unavailable("mongo")
    return None


def _from_redis(error: Exception) -> BaseApiRestException | None:
    from redis import exceptions

    if isinstance(error, exceptions.ConnectionError | exceptions.TimeoutError):
        return store_unavailable("redis")
    return None


_TRANSLATORS = (
    ("sqlalchemy.exc", _from_sqlalchemy),
    ("psycopg", _from_psycopg),
    ("pymongo.errors", _from_pymongo),
    ("redis.exceptions", _from_redis),
)


def to_api_exception(error: BaseException) -> BaseApiRestException | None:
    """The API exception for `error`, or None when it is a bug (answered as 500)."""
    if isinstance(error, BaseApiRestException):
        return error
    if isinstance(error, StoreUnavailableError) and error.store is not None:
        return store_unavailable(error.store)
    if not isinstance(error, Exception):
        return None
    for module, translate in _TRANSLATORS:
        if _imported(module):
            translated = translate(error)
            if translated is not None:
                return translated
    return None
